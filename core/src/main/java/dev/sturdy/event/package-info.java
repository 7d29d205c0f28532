/**
 * Observing what sturdy decides: a {@link dev.sturdy.event.ResilienceListener} receives one event per
 * decision (attempt failed, retry scheduled, retries exhausted, budget overflow, timeout, ejection,
 * pool overflow). Event objects are created only when a listener other than
 * {@link dev.sturdy.event.ResilienceListener#NONE} is installed.
 */
package dev.sturdy.event;
