package dev.sturdy;

/**
 * How many times establishing one connection (TCP connect and TLS handshake, each bounded by
 * {@link TimeoutPolicy#connectTimeout()}) is tried before the attempt counts as a
 * {@link RetryOn#CONNECT_FAILURE} (Azure Container Apps {@code tcpRetryPolicy.maxConnectAttempts}).
 * Connect attempts try every resolved address, do not use up {@link HttpRetryPolicy#maxRetries()} and
 * stay inside the overall deadline.
 *
 * <p>Thread-safety: immutable and thread-safe. The {@link Builder} is not thread-safe.
 */
public final class TcpRetryPolicy {

    /** Default number of connect attempts: {@value} (no connect retry). */
    public static final int DEFAULT_MAX_CONNECT_ATTEMPTS = 1;

    private static final TcpRetryPolicy DEFAULTS = new Builder().build();

    private final int maxConnectAttempts;

    private TcpRetryPolicy(Builder builder) {
        this.maxConnectAttempts = builder.maxConnectAttempts;
    }

    /**
     * Returns the default policy: one connect attempt.
     *
     * @return the default TCP retry policy
     */
    public static TcpRetryPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a policy making up to {@code maxConnectAttempts} connect attempts.
     *
     * @param maxConnectAttempts attempts, {@code >= 1}
     * @return the policy
     * @throws IllegalArgumentException if below 1
     */
    public static TcpRetryPolicy maxConnectAttempts(int maxConnectAttempts) {
        return new Builder().maxConnectAttempts(maxConnectAttempts).build();
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
     * Returns how many times one connection is tried (attempts, not retries).
     *
     * @return a count {@code >= 1}; default 1
     */
    public int maxConnectAttempts() {
        return maxConnectAttempts;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof TcpRetryPolicy && maxConnectAttempts == ((TcpRetryPolicy) o).maxConnectAttempts);
    }

    @Override
    public int hashCode() {
        return maxConnectAttempts;
    }

    @Override
    public String toString() {
        return "TcpRetryPolicy{maxConnectAttempts=" + maxConnectAttempts + '}';
    }

    /**
     * Builds a {@link TcpRetryPolicy}. Setters check their argument at once.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private int maxConnectAttempts = DEFAULT_MAX_CONNECT_ATTEMPTS;

        private Builder() {
        }

        private Builder(TcpRetryPolicy policy) {
            this.maxConnectAttempts = policy.maxConnectAttempts;
        }

        /**
         * Sets how many times one connection is tried.
         *
         * @param maxConnectAttempts attempts, {@code >= 1}; default 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxConnectAttempts(int maxConnectAttempts) {
            this.maxConnectAttempts = Check.atLeast(maxConnectAttempts, 1, "maxConnectAttempts");
            return this;
        }

        /**
         * Returns the policy.
         *
         * @return the immutable policy
         */
        public TcpRetryPolicy build() {
            return new TcpRetryPolicy(this);
        }
    }
}
