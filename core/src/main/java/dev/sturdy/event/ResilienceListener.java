package dev.sturdy.event;

/**
 * Receives sturdy's decisions as they happen. Every method has a no-op default, so an implementation
 * overrides only what it needs and new event types can be added without breaking it.
 *
 * <p>Methods are called synchronously on the thread that made the decision (a caller thread, an I/O
 * thread or sturdy's scheduler): keep them short and non-blocking. An exception thrown by a listener
 * is caught and logged at WARN; it never changes the outcome of a call.
 *
 * <p>Events never carry header values, bodies, query strings or user-info: endpoints are
 * {@code scheme://host:port} only.
 *
 * <p>Thread-safety: implementations must be thread-safe; one listener serves every call of a client.
 */
public interface ResilienceListener {

    /** A listener that ignores every event; when installed, sturdy creates no event objects at all. */
    ResilienceListener NONE = new ResilienceListener() {
        @Override
        public String toString() {
            return "ResilienceListener.NONE";
        }
    };

    /**
     * One attempt ended in a failure: a retriable status, or an exception.
     *
     * @param event what failed and how
     */
    default void onAttemptFailed(AttemptFailedEvent event) {
    }

    /**
     * A retry was scheduled after a failed attempt.
     *
     * @param event the reason, the delay and where the delay came from
     */
    default void onRetryScheduled(RetryScheduledEvent event) {
    }

    /**
     * The call ended without success after using every retry the policy allows, or when no further
     * retry was allowed for another reason: idempotency, a body that cannot be sent again, the retry
     * budget, or a wait that would end after the deadline. A call cut short by its overall deadline
     * while an attempt runs is reported by {@link #onTimeout} instead.
     *
     * @param event the attempts made and why no further retry was made
     */
    default void onRetriesExhausted(RetriesExhaustedEvent event) {
    }

    /**
     * A retry was refused because the client's retry budget was used up.
     *
     * @param event the budget state at the moment of refusal
     */
    default void onRetryBudgetExceeded(RetryBudgetExceededEvent event) {
    }

    /**
     * A per-try timeout or the overall deadline fired.
     *
     * @param event which timeout fired
     */
    default void onTimeout(TimeoutEvent event) {
    }

    /**
     * An endpoint was ejected after errors in a row or failed health checks.
     *
     * @param event which endpoint, why, for how long and until when
     */
    default void onEndpointEjected(EndpointEjectedEvent event) {
    }

    /**
     * An ejected endpoint was admitted again.
     *
     * @param event which endpoint, why and how long it was ejected
     */
    default void onEndpointRestored(EndpointRestoredEvent event) {
    }

    /**
     * A call failed fast because its endpoint, or every member of its endpoint group, is ejected.
     *
     * @param event the call and when an endpoint will be tried again
     */
    default void onCircuitRejected(CircuitRejectedEvent event) {
    }
}
