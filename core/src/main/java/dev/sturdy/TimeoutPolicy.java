package dev.sturdy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long one call and each of its parts may take.
 *
 * <ul>
 *   <li>{@link #connectTimeout()}: TCP connect <em>and</em> TLS handshake of one connection attempt
 *       (default 5 s; Azure Container Apps
 *       {@code timeoutPolicy.connectionTimeoutInSeconds}).</li>
 *   <li>{@link #responseTimeout()}: the overall, hard deadline of a call, covering every attempt, every
 *       backoff wait and reading the body (default 60 s; Azure
 *       {@code timeoutPolicy.responseTimeoutInSeconds}).</li>
 *   <li>{@link #perTryTimeout()}: the deadline of one attempt (default: none, an attempt may use the
 *       rest of the overall deadline). A per-try timeout is retriable; the overall deadline is not.</li>
 * </ul>
 *
 * <p>Every duration must be positive and {@code perTryTimeout <= responseTimeout}; a bad value is
 * refused when it is set (single field) or at {@link Builder#build()} (cross-field).
 *
 * <p>Thread-safety: immutable and thread-safe. The {@link Builder} is not thread-safe.
 */
public final class TimeoutPolicy {

    /** Default connect timeout: 5 seconds, for the TCP connect and the TLS handshake together. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default overall deadline of a call: 60 seconds. */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    /** Default per-try timeout: none (each attempt may use the rest of the overall deadline). */
    public static final Optional<Duration> DEFAULT_PER_TRY_TIMEOUT = Optional.empty();

    private static final TimeoutPolicy DEFAULTS = new Builder().build();

    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration perTryTimeout; // null = none

    private TimeoutPolicy(Builder builder) {
        this.connectTimeout = builder.connectTimeout;
        this.responseTimeout = builder.responseTimeout;
        this.perTryTimeout = builder.perTryTimeout;
    }

    /**
     * Returns the policy with every field at its default: 5 s connect, 60 s response, no per-try timeout.
     *
     * @return the default timeout policy
     */
    public static TimeoutPolicy defaults() {
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
     * Returns the timeout of one connection attempt: TCP connect and TLS handshake together.
     *
     * @return a positive duration; default {@link #DEFAULT_CONNECT_TIMEOUT} (5 s)
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Returns the overall deadline of a call: all attempts, all backoff waits and reading the body.
     *
     * @return a positive duration; default {@link #DEFAULT_RESPONSE_TIMEOUT} (60 s)
     */
    public Duration responseTimeout() {
        return responseTimeout;
    }

    /**
     * Returns the deadline of one attempt, if set.
     *
     * @return a positive duration not above {@link #responseTimeout()}, or empty (the default) when an
     *     attempt may use the rest of the overall deadline
     */
    public Optional<Duration> perTryTimeout() {
        return Optional.ofNullable(perTryTimeout);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TimeoutPolicy)) {
            return false;
        }
        TimeoutPolicy that = (TimeoutPolicy) o;
        return connectTimeout.equals(that.connectTimeout)
                && responseTimeout.equals(that.responseTimeout)
                && Objects.equals(perTryTimeout, that.perTryTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(connectTimeout, responseTimeout, perTryTimeout);
    }

    @Override
    public String toString() {
        return "TimeoutPolicy{connectTimeout=" + connectTimeout
                + ", responseTimeout=" + responseTimeout
                + ", perTryTimeout=" + (perTryTimeout == null ? "none" : perTryTimeout)
                + '}';
    }

    /**
     * Builds a {@link TimeoutPolicy}. Setters check their own argument at once
     * ({@link IllegalArgumentException}, or {@link NullPointerException} for null); {@link #build()}
     * checks the fields against each other ({@link IllegalStateException}), so setter order never
     * matters.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
        private Duration perTryTimeout;

        private Builder() {
        }

        private Builder(TimeoutPolicy policy) {
            this.connectTimeout = policy.connectTimeout;
            this.responseTimeout = policy.responseTimeout;
            this.perTryTimeout = policy.perTryTimeout;
        }

        /**
         * Sets the timeout of one connection attempt (TCP connect and TLS handshake together).
         *
         * @param connectTimeout a positive duration; default 5 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Check.positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the overall deadline of a call.
         *
         * @param responseTimeout a positive duration; default 60 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = Check.positive(responseTimeout, "responseTimeout");
            return this;
        }

        /**
         * Sets the deadline of one attempt; {@link #build()} checks it is not above the response timeout.
         *
         * @param perTryTimeout a positive duration; default none
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder perTryTimeout(Duration perTryTimeout) {
            this.perTryTimeout = Check.positive(perTryTimeout, "perTryTimeout");
            return this;
        }

        /**
         * Removes the per-try timeout: each attempt may use the rest of the overall deadline (the default).
         *
         * @return this builder
         */
        public Builder noPerTryTimeout() {
            this.perTryTimeout = null;
            return this;
        }

        /**
         * Checks the fields against each other and returns the policy.
         *
         * @return the immutable policy
         * @throws IllegalStateException if {@code perTryTimeout > responseTimeout}
         */
        public TimeoutPolicy build() {
            if (perTryTimeout != null && perTryTimeout.compareTo(responseTimeout) > 0) {
                throw Check.state("perTryTimeout", perTryTimeout, "<= responseTimeout " + responseTimeout);
            }
            return new TimeoutPolicy(this);
        }
    }
}
