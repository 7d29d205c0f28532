package dev.sturdy.httpclient5.internal;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.internal.retry.Backoff;
import dev.sturdy.internal.retry.RetryDecider;
import java.time.Duration;

/**
 * One policy prepared for the request path: durations in nanoseconds and the retry machinery built
 * once. A call reads the client's current state once and keeps it, so a later policy swap never
 * changes a call half-way.
 */
final class PolicyState {

    final ResiliencePolicy policy;
    final long responseTimeoutNanos;
    final long perTryTimeoutNanos; // Long.MAX_VALUE when none
    final Duration responseTimeout;
    final Duration perTryTimeout; // null when none
    final HttpRetryPolicy retry; // null when retries are off
    final RetryDecider decider; // null when retries are off
    final Backoff backoff; // null when retries are off
    final int maxConnectAttempts;

    PolicyState(ResiliencePolicy policy) {
        this.policy = policy;
        this.responseTimeout = policy.timeouts().responseTimeout();
        this.responseTimeoutNanos = responseTimeout.toNanos();
        this.perTryTimeout = policy.timeouts().perTryTimeout().orElse(null);
        this.perTryTimeoutNanos = perTryTimeout == null ? Long.MAX_VALUE : perTryTimeout.toNanos();
        this.retry = policy.retry().orElse(null);
        this.decider = retry == null ? null : new RetryDecider(retry);
        this.backoff = retry == null ? null : new Backoff(retry.initialDelay(), retry.maxInterval());
        this.maxConnectAttempts = policy.tcpRetry().maxConnectAttempts();
    }
}
