package dev.sturdy.httpclient5.faulttable;

/**
 * What the caller saw of one call: a response (status and body read to the end) or an exception, and
 * the number of attempts the client reports for it.
 *
 * @param status       the status returned, -1 when the call threw
 * @param body         the body read, null when the call threw
 * @param failure      the exception thrown, null when a response was returned
 * @param attempts     the attempts the client counted (e.g. {@code SturdyContext.attempts})
 * @param elapsedNanos how long the call took
 */
public record Observed(int status, String body, Throwable failure, int attempts, long elapsedNanos) {

    @Override
    public String toString() {
        return (failure == null ? "status " + status : "threw " + failure) + " after " + attempts + " attempts, "
                + elapsedNanos / 1_000_000 + " ms";
    }
}
