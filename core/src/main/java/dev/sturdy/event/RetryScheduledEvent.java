package dev.sturdy.event;

import java.time.Duration;
import java.util.Objects;

/**
 * A retry was scheduled.
 *
 * @param method      the request method
 * @param endpoint    {@code scheme://host:port} of the failed attempt's target
 * @param retry       the 1-based number of this retry within the current redirect hop (each hop of a
 *                    redirected call has its own retries; without redirects, the attempt number minus one)
 * @param reason      the retry condition that matched, e.g. {@code "5xx"} or {@code "connect-failure"}
 * @param delay       how long the call waits before the retry starts
 * @param delaySource where the delay came from
 */
public record RetryScheduledEvent(String method, String endpoint, int retry, String reason, Duration delay,
                                  DelaySource delaySource) {
    /** Checks that no component is null. */
    public RetryScheduledEvent {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(delaySource, "delaySource");
    }
}
