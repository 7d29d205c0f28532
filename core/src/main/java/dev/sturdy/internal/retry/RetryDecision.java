package dev.sturdy.internal.retry;

/**
 * The outcome of {@link RetryDecider#decide}: retry or not, and why. Reasons are stable, lower-case
 * strings meant for events, logs and metrics tags; a {@code RETRY_*} reason is the condition (or the
 * failure) that made the attempt retriable.
 */
public enum RetryDecision {

    /** A 5xx response. */
    RETRY_5XX(true, "5xx"),
    /** A 502, 503 or 504 response, retried under {@code gateway-error}. */
    RETRY_GATEWAY_ERROR(true, "gateway-error"),
    /** No response: disconnect, reset, closed or truncated. */
    RETRY_RESET(true, "reset"),
    /** The connection could not be made. */
    RETRY_CONNECT_FAILURE(true, "connect-failure"),
    /** The per-try timeout fired. */
    RETRY_PER_TRY_TIMEOUT(true, "per-try-timeout"),
    /** A 409 response. */
    RETRY_RETRIABLE_4XX(true, "retriable-4xx"),
    /** HTTP/2 REFUSED_STREAM or GOAWAY before processing. */
    RETRY_REFUSED_STREAM(true, "refused-stream"),
    /** The status is one of the policy's status codes. */
    RETRY_STATUS_CODE(true, "retriable-status-codes"),
    /** A response header matched one of the policy's header matchers. */
    RETRY_HEADER(true, "retriable-headers"),

    /** The outcome is not retriable under the policy (a success, a 404, ...). */
    NO_RETRY_SUCCESS(false, "not retriable"),
    /** The outcome is retriable but every retry has been used. */
    NO_RETRY_EXHAUSTED(false, "retries exhausted"),
    /** A non-idempotent request may have reached the server. */
    NO_RETRY_NOT_IDEMPOTENT(false, "non-idempotent request may have been processed"),
    /** The request was sent and its body cannot be sent again. */
    NO_RETRY_BODY_NOT_REPEATABLE(false, "request body is not repeatable"),
    /** The caller cancelled the call. */
    NO_RETRY_CANCELLED(false, "cancelled"),
    /** The overall deadline expired. */
    NO_RETRY_DEADLINE(false, "deadline exceeded"),
    /** A local overflow rejection. */
    NO_RETRY_LOCAL_REJECTION(false, "local rejection"),
    /** A TLS failure that is not a timeout. */
    NO_RETRY_TLS_FAILURE(false, "tls failure"),
    /** Another failure that is not retriable. */
    NO_RETRY_OTHER(false, "other failure");

    private final boolean retry;
    private final String reason;

    RetryDecision(boolean retry, String reason) {
        this.retry = retry;
        this.reason = reason;
    }

    /**
     * Tells whether another attempt should be made (subject to the budget and the deadline, which the
     * caller checks).
     *
     * @return true for the {@code RETRY_*} values
     */
    public boolean retry() {
        return retry;
    }

    /**
     * Returns the stable, lower-case reason.
     *
     * @return the reason, e.g. {@code "gateway-error"} or {@code "retries exhausted"}
     */
    public String reason() {
        return reason;
    }
}
