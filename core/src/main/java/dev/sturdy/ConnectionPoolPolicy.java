package dev.sturdy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Connection and admission limits of one client (Azure Container Apps {@code tcpConnectionPool} and
 * {@code httpConnectionPool}, Envoy's circuit-breaker thresholds). HttpClient 5 has no bound on waiting
 * requests, so sturdy enforces these limits itself; an overflow fails at once, is never retried against
 * the same saturated client and never counts against an endpoint.
 *
 * <table>
 *   <caption>Fields, defaults and their Azure Container Apps names</caption>
 *   <tr><th>field</th><th>default</th><th>Azure</th></tr>
 *   <tr><td>{@link #maxConnections()}</td><td>100</td><td>{@code tcpConnectionPool.maxConnections}</td></tr>
 *   <tr><td>{@link #maxConnectionsPerEndpoint()}</td><td>= maxConnections</td><td>-</td></tr>
 *   <tr><td>{@link #http1MaxPendingRequests()}</td><td>1024</td>
 *       <td>{@code httpConnectionPool.http1MaxPendingRequests}</td></tr>
 *   <tr><td>{@link #http2MaxRequests()}</td><td>1024</td><td>{@code httpConnectionPool.http2MaxRequests}</td></tr>
 *   <tr><td>{@link #maxPendingWait()}</td><td>= connect timeout</td><td>-</td></tr>
 * </table>
 *
 * <p>Thread-safety: immutable and thread-safe; the counters live in the client. The {@link Builder} is
 * not thread-safe.
 */
public final class ConnectionPoolPolicy {

    /** Default limit on open connections in total: {@value}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100;
    /** Default limit on requests waiting for a connection: {@value}. */
    public static final int DEFAULT_HTTP1_MAX_PENDING_REQUESTS = 1024;
    /** Default limit on requests in flight at once: {@value}. */
    public static final int DEFAULT_HTTP2_MAX_REQUESTS = 1024;
    /** Default longest wait for a connection: none set, meaning {@link TimeoutPolicy#connectTimeout()}. */
    public static final Optional<Duration> DEFAULT_MAX_PENDING_WAIT = Optional.empty();

    private static final int UNSET = 0;
    private static final ConnectionPoolPolicy DEFAULTS = new Builder().build();

    private final int maxConnections;
    private final int maxConnectionsPerEndpoint; // UNSET = same as maxConnections
    private final int http1MaxPendingRequests;
    private final int http2MaxRequests;
    private final Duration maxPendingWait; // null = the connect timeout

    private ConnectionPoolPolicy(Builder builder) {
        this.maxConnections = builder.maxConnections;
        this.maxConnectionsPerEndpoint = builder.maxConnectionsPerEndpoint;
        this.http1MaxPendingRequests = builder.http1MaxPendingRequests;
        this.http2MaxRequests = builder.http2MaxRequests;
        this.maxPendingWait = builder.maxPendingWait;
    }

    /**
     * Returns the policy with every field at its default.
     *
     * @return the default connection pool policy
     */
    public static ConnectionPoolPolicy defaults() {
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
     * Returns a builder holding this policy's values, to derive a changed copy. A per-endpoint limit
     * that was not set stays unset, so it keeps following {@link #maxConnections()}.
     *
     * @return a new builder initialised from this policy
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Returns the limit on open connections in total (the TCP pool size).
     *
     * @return a count {@code >= 1}; default 100
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Returns the limit on open connections per endpoint.
     *
     * @return a count in [1, {@link #maxConnections()}]; default {@link #maxConnections()}
     */
    public int maxConnectionsPerEndpoint() {
        return maxConnectionsPerEndpoint == UNSET ? maxConnections : maxConnectionsPerEndpoint;
    }

    /**
     * Returns how many requests may wait for a connection; when the queue is full the next request fails
     * at once with a pool-overflow error.
     *
     * @return a count {@code >= 0} (0: never wait); default 1024
     */
    public int http1MaxPendingRequests() {
        return http1MaxPendingRequests;
    }

    /**
     * Returns how many requests may be in flight at once (HTTP/2 streams, or all requests).
     *
     * @return a count {@code >= 1}; default 1024
     */
    public int http2MaxRequests() {
        return http2MaxRequests;
    }

    /**
     * Returns how long a pending request may wait for a connection, if set.
     *
     * @return a positive duration, or empty (the default) to use {@link TimeoutPolicy#connectTimeout()}
     */
    public Optional<Duration> maxPendingWait() {
        return Optional.ofNullable(maxPendingWait);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectionPoolPolicy)) {
            return false;
        }
        ConnectionPoolPolicy that = (ConnectionPoolPolicy) o;
        return maxConnections == that.maxConnections
                && maxConnectionsPerEndpoint == that.maxConnectionsPerEndpoint
                && http1MaxPendingRequests == that.http1MaxPendingRequests
                && http2MaxRequests == that.http2MaxRequests
                && Objects.equals(maxPendingWait, that.maxPendingWait);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxConnections, maxConnectionsPerEndpoint, http1MaxPendingRequests, http2MaxRequests,
                maxPendingWait);
    }

    @Override
    public String toString() {
        return "ConnectionPoolPolicy{maxConnections=" + maxConnections
                + ", maxConnectionsPerEndpoint=" + (maxConnectionsPerEndpoint == UNSET
                        ? maxConnections + " (= maxConnections)" : String.valueOf(maxConnectionsPerEndpoint))
                + ", http1MaxPendingRequests=" + http1MaxPendingRequests
                + ", http2MaxRequests=" + http2MaxRequests
                + ", maxPendingWait=" + (maxPendingWait == null ? "connectTimeout" : maxPendingWait)
                + '}';
    }

    /**
     * Builds a {@link ConnectionPoolPolicy}. Setters check their own argument at once
     * ({@link IllegalArgumentException}, or {@link NullPointerException} for null); {@link #build()}
     * checks the fields against each other ({@link IllegalStateException}), so setter order never
     * matters.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerEndpoint = UNSET;
        private int http1MaxPendingRequests = DEFAULT_HTTP1_MAX_PENDING_REQUESTS;
        private int http2MaxRequests = DEFAULT_HTTP2_MAX_REQUESTS;
        private Duration maxPendingWait;

        private Builder() {
        }

        private Builder(ConnectionPoolPolicy policy) {
            this.maxConnections = policy.maxConnections;
            this.maxConnectionsPerEndpoint = policy.maxConnectionsPerEndpoint;
            this.http1MaxPendingRequests = policy.http1MaxPendingRequests;
            this.http2MaxRequests = policy.http2MaxRequests;
            this.maxPendingWait = policy.maxPendingWait;
        }

        /**
         * Sets the limit on open connections in total.
         *
         * @param maxConnections a count {@code >= 1}; default 100
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = Check.atLeast(maxConnections, 1, "maxConnections");
            return this;
        }

        /**
         * Sets the limit on open connections per endpoint; {@link #build()} checks it is not above
         * {@code maxConnections}.
         *
         * @param maxConnectionsPerEndpoint a count {@code >= 1}; default: the same as maxConnections
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxConnectionsPerEndpoint(int maxConnectionsPerEndpoint) {
            this.maxConnectionsPerEndpoint = Check.atLeast(maxConnectionsPerEndpoint, 1, "maxConnectionsPerEndpoint");
            return this;
        }

        /**
         * Sets how many requests may wait for a connection.
         *
         * @param http1MaxPendingRequests a count {@code >= 0}; default 1024
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder http1MaxPendingRequests(int http1MaxPendingRequests) {
            this.http1MaxPendingRequests = Check.atLeast(http1MaxPendingRequests, 0, "http1MaxPendingRequests");
            return this;
        }

        /**
         * Sets how many requests may be in flight at once.
         *
         * @param http2MaxRequests a count {@code >= 1}; default 1024
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder http2MaxRequests(int http2MaxRequests) {
            this.http2MaxRequests = Check.atLeast(http2MaxRequests, 1, "http2MaxRequests");
            return this;
        }

        /**
         * Sets how long a pending request may wait for a connection.
         *
         * @param maxPendingWait a positive duration; default: the connect timeout
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxPendingWait(Duration maxPendingWait) {
            this.maxPendingWait = Check.positive(maxPendingWait, "maxPendingWait");
            return this;
        }

        /**
         * Checks the fields against each other and returns the policy.
         *
         * @return the immutable policy
         * @throws IllegalStateException if {@code maxConnectionsPerEndpoint > maxConnections}
         */
        public ConnectionPoolPolicy build() {
            if (maxConnectionsPerEndpoint != UNSET && maxConnectionsPerEndpoint > maxConnections) {
                throw Check.state("maxConnectionsPerEndpoint", maxConnectionsPerEndpoint,
                        "<= maxConnections " + maxConnections);
            }
            return new ConnectionPoolPolicy(this);
        }
    }
}
