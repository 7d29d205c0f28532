package dev.sturdy.event;

import java.util.Objects;

/**
 * A call ended on a failed attempt and no further retry was made.
 *
 * @param method   the request method
 * @param endpoint {@code scheme://host:port} of the last attempt's target
 * @param attempts how many attempts the call made
 * @param reason   why no further retry was made, e.g. {@code "retries exhausted"} or
 *                 {@code "non-idempotent request may have been processed"}
 */
public record RetriesExhaustedEvent(String method, String endpoint, int attempts, String reason) {
    /** Checks that no component is null. */
    public RetriesExhaustedEvent {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(reason, "reason");
    }
}
