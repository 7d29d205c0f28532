/**
 * The pure retry maths shared by sturdy's adapters (not API; exported only to them): the
 * transport-neutral {@link dev.sturdy.internal.retry.AttemptView} of a finished attempt, its
 * {@link dev.sturdy.internal.retry.FailureClass}, the {@link dev.sturdy.internal.retry.RetryDecider} that
 * turns both into a {@link dev.sturdy.internal.retry.RetryDecision}, the jittered
 * {@link dev.sturdy.internal.retry.Backoff} and the {@link dev.sturdy.internal.retry.RetryAfter} parser.
 *
 * <p>Nothing here sleeps, reads a clock or draws a random number: time and randomness come in as
 * arguments, so every rule is tested without waiting. Deciding and computing a backoff allocate nothing.
 */
package dev.sturdy.internal.retry;
