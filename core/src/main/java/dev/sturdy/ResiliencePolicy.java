package dev.sturdy;

import dev.sturdy.event.ResilienceListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole resiliency policy of one HTTP client: timeouts, retries, connect retries, outlier
 * ejection, pool limits and the listener that observes the decisions. Mirrors an Azure Container Apps
 * resiliency policy (itself a thin layer over Envoy).
 *
 * <p>A builder with nothing set means: timeouts and pool limits at their defaults (a client always
 * needs them), <strong>no</strong> retries and <strong>no</strong> ejection, as Envoy does without a
 * retry policy; this equals {@link #none()}. Setting a part turns it on, with that part's defaults for
 * the fields not set. {@link #recommended()} gives the values Azure's {@code --recommended} writes.
 *
 * <p>The layers apply in this order, outermost first: admission (pending-request limit), overall
 * deadline, retry loop (budget, Retry-After, idempotency), endpoint choice (ejection), concurrency
 * limit, connect (TCP connect retries, connect timeout), one exchange (per-try timeout).
 *
 * <p>Thread-safety: immutable and thread-safe; one policy may configure any number of clients, each with
 * its own runtime state. The {@link Builder} is not thread-safe.
 */
public final class ResiliencePolicy {

    /** Default timeouts: {@link TimeoutPolicy#defaults()} (5 s connect, 60 s response). */
    public static final TimeoutPolicy DEFAULT_TIMEOUTS = TimeoutPolicy.defaults();
    /** Default retry policy: none (no retries). */
    public static final Optional<HttpRetryPolicy> DEFAULT_RETRY = Optional.empty();
    /** Default connect retry policy: {@link TcpRetryPolicy#defaults()} (one connect attempt). */
    public static final TcpRetryPolicy DEFAULT_TCP_RETRY = TcpRetryPolicy.defaults();
    /** Default outlier ejection: none (no endpoint is ever ejected). */
    public static final Optional<CircuitBreakerPolicy> DEFAULT_CIRCUIT_BREAKER = Optional.empty();
    /** Default pool limits: {@link ConnectionPoolPolicy#defaults()}. */
    public static final ConnectionPoolPolicy DEFAULT_CONNECTION_POOL = ConnectionPoolPolicy.defaults();
    /** Default listener: {@link ResilienceListener#NONE} (no event objects are created). */
    public static final ResilienceListener DEFAULT_LISTENER = ResilienceListener.NONE;

    private static final ResiliencePolicy NONE = new Builder().build();
    private static final ResiliencePolicy RECOMMENDED = new Builder()
            .timeouts(TimeoutPolicy.builder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .responseTimeout(Duration.ofSeconds(60))
                    .build())
            .retry(HttpRetryPolicy.builder()
                    .maxRetries(3)
                    .backoff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                    .retryOn(RetryOn.FIVE_XX)
                    .build())
            .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))
            .circuitBreaker(CircuitBreakerPolicy.builder()
                    .consecutiveErrors(5)
                    .interval(Duration.ofSeconds(10))
                    .maxEjectionPercent(100)
                    .build())
            .build();

    private final TimeoutPolicy timeouts;
    private final HttpRetryPolicy retry; // null = no retries
    private final TcpRetryPolicy tcpRetry;
    private final CircuitBreakerPolicy circuitBreaker; // null = no ejection
    private final ConnectionPoolPolicy connectionPool;
    private final ResilienceListener listener;

    private ResiliencePolicy(Builder builder) {
        this.timeouts = builder.timeouts;
        this.retry = builder.retry;
        this.tcpRetry = builder.tcpRetry;
        this.circuitBreaker = builder.circuitBreaker;
        this.connectionPool = builder.connectionPool;
        this.listener = builder.listener;
    }

    /**
     * Returns the values Azure Container Apps' {@code --recommended} writes: 5 s connect and 60 s
     * response timeouts; 3 retries with 1 s / 10 s backoff on {@code 5xx}; 3 connect attempts;
     * ejection after 5 consecutive errors, 10 s interval, up to 100 % of endpoints ejected; default
     * pool limits; no listener.
     *
     * @return the recommended policy
     */
    public static ResiliencePolicy recommended() {
        return RECOMMENDED;
    }

    /**
     * Returns a policy that behaves like a plain HttpClient: default timeouts and pool limits, no
     * retries, one connect attempt, no ejection, no listener. Equals {@code builder().build()}.
     *
     * @return the policy without retries or ejection
     */
    public static ResiliencePolicy none() {
        return NONE;
    }

    /**
     * Returns a builder starting from {@link #none()}.
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
     * Returns the timeouts.
     *
     * @return the timeout policy; default {@link TimeoutPolicy#defaults()}
     */
    public TimeoutPolicy timeouts() {
        return timeouts;
    }

    /**
     * Returns the HTTP retry policy, if retries are on.
     *
     * @return the retry policy, or empty (the default) when a call makes exactly one attempt
     */
    public Optional<HttpRetryPolicy> retry() {
        return Optional.ofNullable(retry);
    }

    /**
     * Returns the connect retry policy.
     *
     * @return the TCP retry policy; default one connect attempt
     */
    public TcpRetryPolicy tcpRetry() {
        return tcpRetry;
    }

    /**
     * Returns the outlier ejection policy, if ejection is on.
     *
     * @return the circuit breaker policy, or empty (the default) when no endpoint is ever ejected
     */
    public Optional<CircuitBreakerPolicy> circuitBreaker() {
        return Optional.ofNullable(circuitBreaker);
    }

    /**
     * Returns the connection and admission limits.
     *
     * @return the pool policy; default {@link ConnectionPoolPolicy#defaults()}
     */
    public ConnectionPoolPolicy connectionPool() {
        return connectionPool;
    }

    /**
     * Returns the listener that receives sturdy's decisions.
     *
     * @return the listener; default {@link ResilienceListener#NONE}
     */
    public ResilienceListener listener() {
        return listener;
    }

    /**
     * Compares every part; listeners are compared by identity.
     *
     * @param o the other object
     * @return true when {@code o} is a policy with equal parts and the same listener instance
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ResiliencePolicy)) {
            return false;
        }
        ResiliencePolicy that = (ResiliencePolicy) o;
        return timeouts.equals(that.timeouts)
                && Objects.equals(retry, that.retry)
                && tcpRetry.equals(that.tcpRetry)
                && Objects.equals(circuitBreaker, that.circuitBreaker)
                && connectionPool.equals(that.connectionPool)
                && listener == that.listener;
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeouts, retry, tcpRetry, circuitBreaker, connectionPool,
                System.identityHashCode(listener));
    }

    @Override
    public String toString() {
        return "ResiliencePolicy{timeouts=" + timeouts
                + ", retry=" + (retry == null ? "none" : retry)
                + ", tcpRetry=" + tcpRetry
                + ", circuitBreaker=" + (circuitBreaker == null ? "none" : circuitBreaker)
                + ", connectionPool=" + connectionPool
                + ", listener=" + listener
                + '}';
    }

    /**
     * Builds a {@link ResiliencePolicy}, starting from {@link ResiliencePolicy#none()}. Each part is
     * itself an immutable, validated policy, so the setters only refuse null.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private TimeoutPolicy timeouts = DEFAULT_TIMEOUTS;
        private HttpRetryPolicy retry;
        private TcpRetryPolicy tcpRetry = DEFAULT_TCP_RETRY;
        private CircuitBreakerPolicy circuitBreaker;
        private ConnectionPoolPolicy connectionPool = DEFAULT_CONNECTION_POOL;
        private ResilienceListener listener = DEFAULT_LISTENER;

        private Builder() {
        }

        private Builder(ResiliencePolicy policy) {
            this.timeouts = policy.timeouts;
            this.retry = policy.retry;
            this.tcpRetry = policy.tcpRetry;
            this.circuitBreaker = policy.circuitBreaker;
            this.connectionPool = policy.connectionPool;
            this.listener = policy.listener;
        }

        /**
         * Sets the timeouts.
         *
         * @param timeouts the timeout policy; default {@link TimeoutPolicy#defaults()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder timeouts(TimeoutPolicy timeouts) {
            this.timeouts = Check.notNull(timeouts, "timeouts");
            return this;
        }

        /**
         * Turns retries on with the given policy.
         *
         * @param retry the retry policy; default none
         * @return this builder
         * @throws NullPointerException if null (use {@link #noRetry()} to turn retries off)
         */
        public Builder retry(HttpRetryPolicy retry) {
            this.retry = Check.notNull(retry, "retry");
            return this;
        }

        /**
         * Turns retries off: a call makes exactly one attempt (the default).
         *
         * @return this builder
         */
        public Builder noRetry() {
            this.retry = null;
            return this;
        }

        /**
         * Sets the connect retry policy.
         *
         * @param tcpRetry the TCP retry policy; default one connect attempt
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder tcpRetry(TcpRetryPolicy tcpRetry) {
            this.tcpRetry = Check.notNull(tcpRetry, "tcpRetry");
            return this;
        }

        /**
         * Turns outlier ejection on with the given policy.
         *
         * @param circuitBreaker the circuit breaker policy; default none
         * @return this builder
         * @throws NullPointerException if null (use {@link #noCircuitBreaker()} to turn ejection off)
         */
        public Builder circuitBreaker(CircuitBreakerPolicy circuitBreaker) {
            this.circuitBreaker = Check.notNull(circuitBreaker, "circuitBreaker");
            return this;
        }

        /**
         * Turns outlier ejection off: no endpoint is ever ejected (the default).
         *
         * @return this builder
         */
        public Builder noCircuitBreaker() {
            this.circuitBreaker = null;
            return this;
        }

        /**
         * Sets the connection and admission limits.
         *
         * @param connectionPool the pool policy; default {@link ConnectionPoolPolicy#defaults()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder connectionPool(ConnectionPoolPolicy connectionPool) {
            this.connectionPool = Check.notNull(connectionPool, "connectionPool");
            return this;
        }

        /**
         * Sets the listener that receives sturdy's decisions.
         *
         * @param listener a thread-safe listener; default {@link ResilienceListener#NONE}
         * @return this builder
         * @throws NullPointerException if null (use {@link ResilienceListener#NONE})
         */
        public Builder listener(ResilienceListener listener) {
            this.listener = Check.notNull(listener, "listener");
            return this;
        }

        /**
         * Returns the policy.
         *
         * @return the immutable policy
         */
        public ResiliencePolicy build() {
            return new ResiliencePolicy(this);
        }
    }
}
