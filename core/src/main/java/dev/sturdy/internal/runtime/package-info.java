/**
 * Runtime state shared by sturdy's adapters: time seams, the deadline watchdog, the retry budget and
 * the counters. Not API: exported to sturdy's own adapter modules only.
 */
package dev.sturdy.internal.runtime;
