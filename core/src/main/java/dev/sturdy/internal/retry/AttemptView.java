package dev.sturdy.internal.retry;

import java.util.List;

/**
 * A transport-neutral view of one finished attempt, as {@link RetryDecider} needs it. Adapters implement
 * it over their own request, response and exception (ideally as one reusable, mutable object per call,
 * so that deciding allocates nothing).
 */
public interface AttemptView {

    /**
     * Returns the request method, as sent (case-sensitive, e.g. {@code "GET"}).
     *
     * @return the method
     */
    String method();

    /**
     * Returns the response status.
     *
     * @return the status code, or -1 when the attempt produced no response
     */
    int status();

    /**
     * Returns how the attempt ended.
     *
     * @return {@link FailureClass#NONE} when it produced a response, otherwise the failure class
     */
    FailureClass failure();

    /**
     * Tells whether the request may have reached the server: false only when it provably was not sent
     * (the adapter's "dispatched" marker was never set).
     *
     * @return true when the request was handed to the connection
     */
    boolean dispatched();

    /**
     * Tells whether the request body can be sent again (true when there is no body).
     *
     * @return true when a retry can resend the same bytes
     */
    boolean bodyRepeatable();

    /**
     * Tells whether a request-level override allows retrying this request even if it is not idempotent.
     *
     * @return true to retry a non-idempotent method that may have been processed
     */
    boolean retryNonIdempotentOverride();

    /**
     * Returns every value of a response header.
     *
     * @param lowerCaseName the header name, lower-case
     * @return the values in order, an empty list when absent or without a response; never null
     */
    List<String> headerValues(String lowerCaseName);
}
