package dev.sturdy;

import java.time.Duration;
import java.util.Objects;

/**
 * Outlier ejection per endpoint (Azure Container Apps {@code circuitBreakerPolicy}, Envoy's outlier
 * detection). An endpoint (scheme, host and port) that fails {@link #consecutiveErrors()} times in a
 * row is ejected at once; the k-th consecutive ejection lasts {@code k * baseEjectionTime}, capped at
 * {@link #maxEjectionTime()}. After its ejection the endpoint is admitted on probation: one further
 * error re-ejects it. A sweep every {@link #interval()} restores endpoints whose ejection has ended.
 * When every endpoint is ejected, calls fail fast without reaching a server.
 *
 * <p>Errors that count: 5xx responses (or only 502, 503 and 504 with {@link #gatewayErrorsOnly()}) and
 * local-origin failures (connect failure, reset, timeout). A 4xx never counts; neither does a pool or
 * queue overflow.
 *
 * <table>
 *   <caption>Fields, defaults and their Azure Container Apps names</caption>
 *   <tr><th>field</th><th>default</th><th>Azure</th></tr>
 *   <tr><td>{@link #consecutiveErrors()}</td><td>5</td><td>{@code consecutiveErrors}</td></tr>
 *   <tr><td>{@link #interval()}</td><td>10 s</td><td>{@code intervalInSeconds}</td></tr>
 *   <tr><td>{@link #maxEjectionPercent()}</td><td>10</td><td>{@code maxEjectionPercent}</td></tr>
 *   <tr><td>{@link #baseEjectionTime()}</td><td>30 s</td><td>-</td></tr>
 *   <tr><td>{@link #maxEjectionTime()}</td><td>300 s</td><td>-</td></tr>
 *   <tr><td>{@link #gatewayErrorsOnly()}</td><td>false</td><td>-</td></tr>
 * </table>
 *
 * <p>Thread-safety: immutable and thread-safe; the per-endpoint state lives in the client. The
 * {@link Builder} is not thread-safe.
 */
public final class CircuitBreakerPolicy {

    /** Default consecutive errors that eject an endpoint: {@value}. */
    public static final int DEFAULT_CONSECUTIVE_ERRORS = 5;
    /** Default period of the sweep that restores ejected endpoints: 10 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** Default length of a first ejection: 30 seconds. */
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    /** Default cap on one ejection: 300 seconds. */
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
    /** Default share of a group's endpoints that may be ejected at once, in percent: {@value}. */
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;
    /** Default for counting only gateway errors (502, 503, 504) among responses: {@value}. */
    public static final boolean DEFAULT_GATEWAY_ERRORS_ONLY = false;

    private static final CircuitBreakerPolicy DEFAULTS = new Builder().build();

    private final int consecutiveErrors;
    private final Duration interval;
    private final Duration baseEjectionTime;
    private final Duration maxEjectionTime;
    private final int maxEjectionPercent;
    private final boolean gatewayErrorsOnly;

    private CircuitBreakerPolicy(Builder builder) {
        this.consecutiveErrors = builder.consecutiveErrors;
        this.interval = builder.interval;
        this.baseEjectionTime = builder.baseEjectionTime;
        this.maxEjectionTime = builder.maxEjectionTime;
        this.maxEjectionPercent = builder.maxEjectionPercent;
        this.gatewayErrorsOnly = builder.gatewayErrorsOnly;
    }

    /**
     * Returns the policy with every field at its default.
     *
     * @return the default circuit breaker policy
     */
    public static CircuitBreakerPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder with every field at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this policy's values, to derive a changed copy.
     *
     * @return a new builder initialised from this policy
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Returns how many errors in a row eject an endpoint.
     *
     * @return a count {@code >= 1}; default 5
     */
    public int consecutiveErrors() {
        return consecutiveErrors;
    }

    /**
     * Returns the period of the sweep that restores endpoints whose ejection has ended, and the time an
     * endpoint must stay error-free for its ejection multiplier to drop by one.
     *
     * @return a positive duration; default 10 s
     */
    public Duration interval() {
        return interval;
    }

    /**
     * Returns the length of a first ejection; the k-th consecutive ejection lasts k times this.
     *
     * @return a positive duration not above {@link #maxEjectionTime()}; default 30 s
     */
    public Duration baseEjectionTime() {
        return baseEjectionTime;
    }

    /**
     * Returns the cap on the length of one ejection.
     *
     * @return a positive duration; default 300 s
     */
    public Duration maxEjectionTime() {
        return maxEjectionTime;
    }

    /**
     * Returns the largest share of a group's endpoints ejected at once; at least one endpoint may
     * always be ejected, so a single endpoint behaves as a classic circuit breaker.
     *
     * @return percent in [0, 100]; default 10
     */
    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }

    /**
     * Tells whether only 502, 503 and 504 responses count as errors (local-origin failures always count).
     *
     * @return false (the default) to count every 5xx
     */
    public boolean gatewayErrorsOnly() {
        return gatewayErrorsOnly;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CircuitBreakerPolicy)) {
            return false;
        }
        CircuitBreakerPolicy that = (CircuitBreakerPolicy) o;
        return consecutiveErrors == that.consecutiveErrors
                && maxEjectionPercent == that.maxEjectionPercent
                && gatewayErrorsOnly == that.gatewayErrorsOnly
                && interval.equals(that.interval)
                && baseEjectionTime.equals(that.baseEjectionTime)
                && maxEjectionTime.equals(that.maxEjectionTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(consecutiveErrors, interval, baseEjectionTime, maxEjectionTime, maxEjectionPercent,
                gatewayErrorsOnly);
    }

    @Override
    public String toString() {
        return "CircuitBreakerPolicy{consecutiveErrors=" + consecutiveErrors
                + ", interval=" + interval
                + ", baseEjectionTime=" + baseEjectionTime
                + ", maxEjectionTime=" + maxEjectionTime
                + ", maxEjectionPercent=" + maxEjectionPercent
                + ", gatewayErrorsOnly=" + gatewayErrorsOnly
                + '}';
    }

    /**
     * Builds a {@link CircuitBreakerPolicy}. Setters check their own argument at once
     * ({@link IllegalArgumentException}, or {@link NullPointerException} for null); {@link #build()}
     * checks the fields against each other ({@link IllegalStateException}), so setter order never
     * matters.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private int consecutiveErrors = DEFAULT_CONSECUTIVE_ERRORS;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
        private Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
        private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;
        private boolean gatewayErrorsOnly = DEFAULT_GATEWAY_ERRORS_ONLY;

        private Builder() {
        }

        private Builder(CircuitBreakerPolicy policy) {
            this.consecutiveErrors = policy.consecutiveErrors;
            this.interval = policy.interval;
            this.baseEjectionTime = policy.baseEjectionTime;
            this.maxEjectionTime = policy.maxEjectionTime;
            this.maxEjectionPercent = policy.maxEjectionPercent;
            this.gatewayErrorsOnly = policy.gatewayErrorsOnly;
        }

        /**
         * Sets how many errors in a row eject an endpoint.
         *
         * @param consecutiveErrors a count {@code >= 1}; default 5
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder consecutiveErrors(int consecutiveErrors) {
            this.consecutiveErrors = Check.atLeast(consecutiveErrors, 1, "consecutiveErrors");
            return this;
        }

        /**
         * Sets the period of the restoring sweep.
         *
         * @param interval a positive duration; default 10 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder interval(Duration interval) {
            this.interval = Check.positive(interval, "interval");
            return this;
        }

        /**
         * Sets the length of a first ejection; {@link #build()} checks it is not above the cap.
         *
         * @param baseEjectionTime a positive duration; default 30 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder baseEjectionTime(Duration baseEjectionTime) {
            this.baseEjectionTime = Check.positive(baseEjectionTime, "baseEjectionTime");
            return this;
        }

        /**
         * Sets the cap on the length of one ejection.
         *
         * @param maxEjectionTime a positive duration; default 300 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxEjectionTime(Duration maxEjectionTime) {
            this.maxEjectionTime = Check.positive(maxEjectionTime, "maxEjectionTime");
            return this;
        }

        /**
         * Sets the largest share of a group's endpoints ejected at once.
         *
         * @param maxEjectionPercent percent in [0, 100]; default 10
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxEjectionPercent(int maxEjectionPercent) {
            this.maxEjectionPercent = Check.inRange(maxEjectionPercent, 0, 100, "maxEjectionPercent");
            return this;
        }

        /**
         * Sets whether only 502, 503 and 504 responses count as errors.
         *
         * @param gatewayErrorsOnly true to ignore other 5xx responses; default false
         * @return this builder
         */
        public Builder gatewayErrorsOnly(boolean gatewayErrorsOnly) {
            this.gatewayErrorsOnly = gatewayErrorsOnly;
            return this;
        }

        /**
         * Checks the fields against each other and returns the policy.
         *
         * @return the immutable policy
         * @throws IllegalStateException if {@code baseEjectionTime > maxEjectionTime}
         */
        public CircuitBreakerPolicy build() {
            if (baseEjectionTime.compareTo(maxEjectionTime) > 0) {
                throw Check.state("baseEjectionTime", baseEjectionTime, "<= maxEjectionTime " + maxEjectionTime);
            }
            return new CircuitBreakerPolicy(this);
        }
    }
}
