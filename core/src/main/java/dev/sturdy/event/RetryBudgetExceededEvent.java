package dev.sturdy.event;

import java.util.Objects;

/**
 * A retry was refused by the client's retry budget; the call ends with its last outcome.
 *
 * @param method          the request method
 * @param endpoint        {@code scheme://host:port} of the failed attempt's target
 * @param attempts        how many attempts the call had made
 * @param retriesInFlight retries holding a budget slot at the moment of refusal
 * @param allowedRetries  retries the budget allowed at that moment
 */
public record RetryBudgetExceededEvent(String method, String endpoint, int attempts, int retriesInFlight,
                                       int allowedRetries) {
    /** Checks that no component is null. */
    public RetryBudgetExceededEvent {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endpoint, "endpoint");
    }
}
