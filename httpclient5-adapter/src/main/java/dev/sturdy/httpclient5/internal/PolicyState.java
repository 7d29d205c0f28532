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
    final int maxRequests;
    final int maxPendingRequests;
    final long maxPendingWaitNanos;
    final Duration maxPendingWait;

    PolicyState(ResiliencePolicy policy) {
        this.policy = policy;
        this.responseTimeout = policy.timeouts().responseTimeout();
        this.responseTimeoutNanos = nanos(responseTimeout);
        this.perTryTimeout = policy.timeouts().perTryTimeout().orElse(null);
        this.perTryTimeoutNanos = perTryTimeout == null ? Long.MAX_VALUE : nanos(perTryTimeout);
        this.retry = policy.retry().orElse(null);
        this.decider = retry == null ? null : new RetryDecider(retry);
        this.backoff = retry == null ? null : new Backoff(retry.initialDelay(), retry.maxInterval());
        this.maxConnectAttempts = policy.tcpRetry().maxConnectAttempts();
        this.maxRequests = policy.connectionPool().http2MaxRequests();
        this.maxPendingRequests = policy.connectionPool().http1MaxPendingRequests();
        this.maxPendingWait = policy.connectionPool().maxPendingWait().orElse(policy.timeouts().connectTimeout());
        this.maxPendingWaitNanos = nanos(maxPendingWait);
    }

    /** Nanoseconds of a duration, saturating at {@code Long.MAX_VALUE / 4} (about 73 years) instead of overflowing. */
    static long nanos(Duration d) {
        final long cap = Long.MAX_VALUE / 4;
        return d.compareTo(Duration.ofNanos(cap)) >= 0 ? cap : d.toNanos();
    }
}
