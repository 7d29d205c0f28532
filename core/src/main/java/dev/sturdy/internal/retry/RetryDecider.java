package dev.sturdy.internal.retry;

import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.RetryOn;
import java.util.List;

/**
 * Decides, for one finished attempt, whether the call should be retried under an
 * {@link HttpRetryPolicy}. Built once per policy; the retry conditions are folded into two lookup tables
 * (by status code and by failure class), so {@link #decide} is a few array reads and branches and
 * allocates nothing (except one {@link java.util.regex.Matcher} per examined value for regex header
 * matchers, and whatever the {@link AttemptView} itself allocates).
 *
 * <p>The order of the checks is fixed: failures that are never retried (cancelled, deadline, local
 * rejection, TLS failure, other); then whether {@code retryOn} covers the outcome; then the retry count;
 * then, for a request that may have reached the server, a non-repeatable body and a non-idempotent
 * method. The budget and the deadline are the caller's to check.
 *
 * <p>Thread-safety: immutable and thread-safe.
 */
public final class RetryDecider {

    private static final String RETRY_AFTER = "retry-after";
    private static final int STATUS_TABLE_SIZE = HttpRetryPolicy.MAX_STATUS_CODE + 1;

    private final HttpRetryPolicy policy;
    private final int maxRetries;
    private final boolean retryNonIdempotent;
    private final RetryDecision[] decisionByStatus; // null: the status alone is not retriable
    private final RetryDecision[] decisionByFailure; // by FailureClass ordinal; NONE is unused
    private final HeaderMatch[] headers; // empty unless retriable-headers is on
    private final boolean respectRetryAfter;
    private final long maxRetryAfterNanos;

    /**
     * Creates the decider of a policy.
     *
     * @param policy the retry policy
     * @throws NullPointerException if {@code policy} is null
     */
    public RetryDecider(HttpRetryPolicy policy) {
        if (policy == null) {
            throw new NullPointerException("policy: null (expected: non-null)");
        }
        this.policy = policy;
        this.maxRetries = policy.maxRetries();
        this.retryNonIdempotent = policy.retryNonIdempotent();
        this.decisionByStatus = statusTable(policy);
        this.decisionByFailure = failureTable(policy);
        this.headers = policy.retries(RetryOn.RETRIABLE_HEADERS)
                ? policy.headers().toArray(new HeaderMatch[0])
                : new HeaderMatch[0];
        this.respectRetryAfter = policy.respectRetryAfter();
        this.maxRetryAfterNanos = Backoff.saturatedNanos(policy.maxRetryAfter());
    }

    /**
     * When several conditions cover a status, the most specific one is reported: listed status codes,
     * then 409, then gateway errors, then any 5xx.
     */
    private static RetryDecision[] statusTable(HttpRetryPolicy policy) {
        RetryDecision[] table = new RetryDecision[STATUS_TABLE_SIZE];
        for (int status = 0; status < STATUS_TABLE_SIZE; status++) {
            if (policy.retries(RetryOn.RETRIABLE_STATUS_CODES) && policy.statusCodes().contains(status)) {
                table[status] = RetryDecision.RETRY_STATUS_CODE;
            } else if (policy.retries(RetryOn.RETRIABLE_4XX) && status == 409) {
                table[status] = RetryDecision.RETRY_RETRIABLE_4XX;
            } else if (policy.retries(RetryOn.GATEWAY_ERROR) && (status == 502 || status == 503 || status == 504)) {
                table[status] = RetryDecision.RETRY_GATEWAY_ERROR;
            } else if (policy.retries(RetryOn.FIVE_XX) && status >= 500) {
                table[status] = RetryDecision.RETRY_5XX;
            }
        }
        return table;
    }

    private static RetryDecision[] failureTable(HttpRetryPolicy policy) {
        boolean noResponse = policy.retries(RetryOn.FIVE_XX) || policy.retries(RetryOn.GATEWAY_ERROR);
        RetryDecision[] table = new RetryDecision[FailureClass.values().length];
        table[FailureClass.NONE.ordinal()] = RetryDecision.NO_RETRY_SUCCESS;
        table[FailureClass.CONNECT_FAILURE.ordinal()] =
                noResponse || policy.retries(RetryOn.CONNECT_FAILURE)
                        ? RetryDecision.RETRY_CONNECT_FAILURE : RetryDecision.NO_RETRY_SUCCESS;
        table[FailureClass.RESET.ordinal()] =
                noResponse || policy.retries(RetryOn.RESET) ? RetryDecision.RETRY_RESET : RetryDecision.NO_RETRY_SUCCESS;
        table[FailureClass.PER_TRY_TIMEOUT.ordinal()] =
                noResponse || policy.retries(RetryOn.RESET)
                        ? RetryDecision.RETRY_PER_TRY_TIMEOUT : RetryDecision.NO_RETRY_SUCCESS;
        table[FailureClass.REFUSED_STREAM.ordinal()] =
                noResponse || policy.retries(RetryOn.REFUSED_STREAM)
                        ? RetryDecision.RETRY_REFUSED_STREAM : RetryDecision.NO_RETRY_SUCCESS;
        table[FailureClass.TLS_FAILURE.ordinal()] = RetryDecision.NO_RETRY_TLS_FAILURE;
        table[FailureClass.CANCELLED.ordinal()] = RetryDecision.NO_RETRY_CANCELLED;
        table[FailureClass.DEADLINE_EXCEEDED.ordinal()] = RetryDecision.NO_RETRY_DEADLINE;
        table[FailureClass.LOCAL_REJECTION.ordinal()] = RetryDecision.NO_RETRY_LOCAL_REJECTION;
        table[FailureClass.OTHER.ordinal()] = RetryDecision.NO_RETRY_OTHER;
        return table;
    }

    /**
     * Returns the policy this decider was built from.
     *
     * @return the policy
     */
    public HttpRetryPolicy policy() {
        return policy;
    }

    /**
     * Decides whether to retry after an attempt. Pure: the same view and count give the same decision.
     * Does not call {@link AttemptView#headerValues} unless the policy has header matchers and the
     * status alone is not retriable.
     *
     * @param attempt the finished attempt
     * @param retriesDone retries already made in this call (0 after the first attempt)
     * @return the decision; {@link RetryDecision#retry()} tells whether to retry
     */
    public RetryDecision decide(AttemptView attempt, int retriesDone) {
        FailureClass failure = attempt.failure();
        RetryDecision retriable;
        if (failure == FailureClass.NONE) {
            retriable = statusDecision(attempt.status());
            if (retriable == null && headers.length > 0 && anyHeaderMatches(attempt)) {
                retriable = RetryDecision.RETRY_HEADER;
            }
            if (retriable == null) {
                return RetryDecision.NO_RETRY_SUCCESS;
            }
        } else {
            retriable = decisionByFailure[failure.ordinal()];
            if (!retriable.retry()) {
                return retriable;
            }
        }
        if (retriesDone >= maxRetries) {
            return RetryDecision.NO_RETRY_EXHAUSTED;
        }
        boolean mayHaveBeenProcessed = failure == FailureClass.NONE
                || (!failure.neverDispatched() && attempt.dispatched());
        if (mayHaveBeenProcessed) {
            if (!attempt.bodyRepeatable()) {
                return RetryDecision.NO_RETRY_BODY_NOT_REPEATABLE;
            }
            if (!retryNonIdempotent && !isIdempotent(attempt.method()) && !attempt.retryNonIdempotentOverride()) {
                return RetryDecision.NO_RETRY_NOT_IDEMPOTENT;
            }
        }
        return retriable;
    }

    private RetryDecision statusDecision(int status) {
        return status >= 0 && status < STATUS_TABLE_SIZE ? decisionByStatus[status] : null;
    }

    private boolean anyHeaderMatches(AttemptView attempt) {
        for (HeaderMatch header : headers) {
            List<String> values = attempt.headerValues(header.name());
            for (int i = 0, n = values.size(); i < n; i++) {
                if (header.matches(values.get(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Returns the server-directed wait of a response, to use instead of the computed backoff. The first
     * {@code Retry-After} value counts. The caller decides first whether to retry at all.
     *
     * @param attempt the finished attempt
     * @param nowEpochMillis the current time, milliseconds since the epoch
     * @return the wait in nanoseconds ({@code 0} for a past date), or {@code -1} when the policy ignores
     *     {@code Retry-After}, the attempt has no response, the header is absent or unusable, or the wait
     *     is above {@link HttpRetryPolicy#maxRetryAfter()}
     */
    public long retryAfterNanos(AttemptView attempt, long nowEpochMillis) {
        if (!respectRetryAfter || attempt.failure() != FailureClass.NONE) {
            return -1;
        }
        // RFC 9110 defines Retry-After as a single value; if a server repeats it, the first one counts.
        List<String> values = attempt.headerValues(RETRY_AFTER);
        if (values.isEmpty()) {
            return -1;
        }
        long millis = RetryAfter.delayMillis(values.get(0), nowEpochMillis);
        if (millis < 0) {
            return -1;
        }
        long nanos = millis * 1_000_000L; // millis <= RetryAfter.MAX_DELAY_MILLIS: no overflow
        return nanos > maxRetryAfterNanos ? -1 : nanos;
    }

    /**
     * Tells whether a method is idempotent per RFC 9110: GET, HEAD, OPTIONS, TRACE, PUT, DELETE.
     * Methods are case-sensitive, as RFC 9110 defines them.
     *
     * @param method the request method, possibly null
     * @return true for an idempotent method; false for null and any other method
     */
    public static boolean isIdempotent(String method) {
        if (method == null) {
            return false;
        }
        switch (method) {
            case "GET":
            case "HEAD":
            case "OPTIONS":
            case "TRACE":
            case "PUT":
            case "DELETE":
                return true;
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return "RetryDecider{" + policy + '}';
    }
}
