package dev.sturdy.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A call failed fast without reaching a server because its endpoint (or every member of its endpoint
 * group) is ejected: the open circuit of a classic breaker.
 *
 * @param method   the request method
 * @param endpoint {@code scheme://host:port} of the call's target: the endpoint, or the group's service
 * @param attempt  the 1-based number of the attempt that was refused
 * @param retryAt  the soonest time an ejected endpoint will be tried again
 */
public record CircuitRejectedEvent(String method, String endpoint, int attempt, Instant retryAt) {
    /** Checks that no component is null. */
    public CircuitRejectedEvent {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(retryAt, "retryAt");
    }
}
