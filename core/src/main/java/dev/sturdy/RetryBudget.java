package dev.sturdy;

/**
 * Caps the retries in flight per client, as Envoy's retry budget does: at most
 * {@code max(minRetryConcurrency, floor(percent / 100 * activeRequests))} retries may be in flight at
 * once. A retry holds its slot from the moment it is scheduled (its backoff wait included) until its
 * attempt completes; a retry refused by the budget ends the call with its last outcome. During a full
 * outage this keeps total attempts per call close to {@code 1 + percent / 100} instead of
 * {@code maxRetries + 1}.
 *
 * <p>Defaults: {@value #DEFAULT_PERCENT} % of active requests, at least
 * {@value #DEFAULT_MIN_RETRY_CONCURRENCY} concurrent retries. {@link #unlimited()} disables the check.
 *
 * <p>Thread-safety: immutable and thread-safe. The counters live in the client, not here.
 */
public final class RetryBudget {

    /** Default share of active requests that may be retries, in percent: {@value}. */
    public static final double DEFAULT_PERCENT = 20.0;
    /** Default number of concurrent retries always allowed, whatever the load: {@value}. */
    public static final int DEFAULT_MIN_RETRY_CONCURRENCY = 3;

    private static final RetryBudget DEFAULTS = new RetryBudget(DEFAULT_PERCENT, DEFAULT_MIN_RETRY_CONCURRENCY);
    private static final RetryBudget UNLIMITED = new RetryBudget(100.0, Integer.MAX_VALUE);

    private final double percent;
    private final int minRetryConcurrency;

    private RetryBudget(double percent, int minRetryConcurrency) {
        this.percent = percent;
        this.minRetryConcurrency = minRetryConcurrency;
    }

    /**
     * Returns a budget allowing {@code percent} % of active requests, and at least
     * {@code minRetryConcurrency}, to be retries in flight.
     *
     * @param percent share of active requests in percent, in [0, 100]
     * @param minRetryConcurrency retries always allowed, {@code >= 0};
     *     {@link Integer#MAX_VALUE} means unlimited
     * @return the budget
     * @throws IllegalArgumentException if a value is out of range, e.g.
     *     {@code percent: 101.0 (expected: in [0, 100])}
     */
    public static RetryBudget of(double percent, int minRetryConcurrency) {
        if (!(percent >= 0.0 && percent <= 100.0)) { // also refuses NaN
            throw Check.argument("percent", percent, "in [0, 100]");
        }
        Check.atLeast(minRetryConcurrency, 0, "minRetryConcurrency");
        return new RetryBudget(percent == 0.0 ? 0.0 : percent, minRetryConcurrency); // -0.0 -> 0.0
    }

    /**
     * Returns the default budget: 20 % of active requests, at least 3 concurrent retries.
     *
     * @return the default budget
     */
    public static RetryBudget defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a budget that never refuses a retry ({@link #isUnlimited()} is true; percent 100,
     * {@code minRetryConcurrency} {@link Integer#MAX_VALUE}).
     *
     * @return the unlimited budget
     */
    public static RetryBudget unlimited() {
        return UNLIMITED;
    }

    /**
     * Returns the share of active requests that may be retries in flight.
     *
     * @return percent in [0, 100]; default 20
     */
    public double percent() {
        return percent;
    }

    /**
     * Returns the number of concurrent retries allowed whatever the load.
     *
     * @return a count {@code >= 0}; default 3
     */
    public int minRetryConcurrency() {
        return minRetryConcurrency;
    }

    /**
     * Tells whether this budget never refuses a retry.
     *
     * @return true when {@link #minRetryConcurrency()} is {@link Integer#MAX_VALUE}
     */
    public boolean isUnlimited() {
        return minRetryConcurrency == Integer.MAX_VALUE;
    }

    /**
     * Returns how many retries may be in flight at once for the given load.
     *
     * @param activeRequests requests in flight on the client (a negative count is taken as 0)
     * @return {@code max(minRetryConcurrency, floor(percent * activeRequests / 100))}, capped at
     *     {@link Integer#MAX_VALUE}; {@link Integer#MAX_VALUE} when unlimited
     */
    public int allowedRetries(long activeRequests) {
        if (isUnlimited()) {
            return Integer.MAX_VALUE;
        }
        long active = Math.max(0L, activeRequests);
        // Truncated, as Envoy's retry budget. percent * active first: exact for whole percents, so
        // 29 % of 100 gives 29, not 28.
        double share = Math.floor(percent * active / 100.0);
        int byShare = share >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) share;
        return Math.max(minRetryConcurrency, byShare);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RetryBudget)) {
            return false;
        }
        RetryBudget that = (RetryBudget) o;
        return Double.compare(percent, that.percent) == 0 && minRetryConcurrency == that.minRetryConcurrency;
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(percent) + minRetryConcurrency;
    }

    @Override
    public String toString() {
        return "RetryBudget{percent=" + percent
                + ", minRetryConcurrency=" + (isUnlimited() ? "unlimited" : String.valueOf(minRetryConcurrency))
                + '}';
    }
}
