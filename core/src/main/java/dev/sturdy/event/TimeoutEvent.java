package dev.sturdy.event;

import java.time.Duration;
import java.util.Objects;

/**
 * A timeout fired and the attempt in flight (if any) was cancelled.
 *
 * @param method   the request method
 * @param endpoint {@code scheme://host:port} of the attempt's target
 * @param kind     which timeout fired
 * @param timeout  the configured length of that timeout
 * @param attempt  the 1-based number of the attempt that was running or about to run
 */
public record TimeoutEvent(String method, String endpoint, TimeoutKind kind, Duration timeout, int attempt) {
    /** Checks that no component is null. */
    public TimeoutEvent {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(timeout, "timeout");
    }
}
