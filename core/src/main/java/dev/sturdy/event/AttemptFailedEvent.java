package dev.sturdy.event;

import java.util.Objects;

/**
 * One attempt of a call failed.
 *
 * @param method  the request method
 * @param endpoint {@code scheme://host:port} of the attempt's target (never a path, query or user-info)
 * @param attempt the 1-based number of the attempt that failed
 * @param outcome a short description of the failure: {@code "status 503"} or the failure class and
 *                exception type, e.g. {@code "connect-failure (HttpHostConnectException)"}
 */
public record AttemptFailedEvent(String method, String endpoint, int attempt, String outcome) {
    /** Checks that no component is null. */
    public AttemptFailedEvent {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(outcome, "outcome");
    }
}
