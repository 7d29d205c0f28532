package dev.sturdy;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking of the members of an {@link EndpointGroup} (Envoy's HTTP health checker):
 * every {@link #interval()} each member is sent {@code GET} {@link #path()}; a probe passes when it
 * answers within {@link #timeout()} with a status in [{@link #minExpectedStatus()},
 * {@link #maxExpectedStatus()}]. After {@link #unhealthyThreshold()} failed probes in a row the member
 * is ejected until {@link #healthyThreshold()} probes in a row pass again; a passing probe also ends an
 * ejection caused by request errors (Envoy's default). Probes run on one shared scheduler thread and
 * never block callers.
 *
 * <table>
 *   <caption>Fields and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link #path()}</td><td>{@code /health}</td><td>a common convention; set it to what your
 *       service serves (a 404 on the health path ejects the member)</td></tr>
 *   <tr><td>{@link #minExpectedStatus()} .. {@link #maxExpectedStatus()}</td><td>200 .. 399</td>
 *       <td>as Kubernetes HTTP probes (Envoy accepts only 200 unless told otherwise)</td></tr>
 *   <tr><td>{@link #interval()}</td><td>10 s</td><td>as Kubernetes {@code periodSeconds} and the
 *       ejection sweep</td></tr>
 *   <tr><td>{@link #timeout()}</td><td>2 s</td><td>a probe slower than this counts as failed</td></tr>
 *   <tr><td>{@link #healthyThreshold()}</td><td>1</td><td>as Kubernetes {@code successThreshold}: one
 *       passing probe restores</td></tr>
 *   <tr><td>{@link #unhealthyThreshold()}</td><td>2</td><td>one lost probe is not an outage</td></tr>
 * </table>
 *
 * <p>Thread-safety: immutable and thread-safe; the probe state lives in the client. The {@link Builder}
 * is not thread-safe.
 */
public final class HealthCheckPolicy {

    /** Default path probed on each member: {@value}. */
    public static final String DEFAULT_PATH = "/health";
    /** Default lowest status of a passing probe: {@value}. */
    public static final int DEFAULT_MIN_EXPECTED_STATUS = 200;
    /** Default highest status of a passing probe: {@value}. */
    public static final int DEFAULT_MAX_EXPECTED_STATUS = 399;
    /** Default time between two probes of a member: 10 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** Default time a probe may take before it counts as failed: 2 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Default passing probes in a row that restore an ejected member: {@value}. */
    public static final int DEFAULT_HEALTHY_THRESHOLD = 1;
    /** Default failed probes in a row that eject a member: {@value}. */
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;

    private static final HealthCheckPolicy DEFAULTS = new Builder().build();

    private final String path;
    private final int minExpectedStatus;
    private final int maxExpectedStatus;
    private final Duration interval;
    private final Duration timeout;
    private final int healthyThreshold;
    private final int unhealthyThreshold;

    private HealthCheckPolicy(Builder builder) {
        this.path = builder.path;
        this.minExpectedStatus = builder.minExpectedStatus;
        this.maxExpectedStatus = builder.maxExpectedStatus;
        this.interval = builder.interval;
        this.timeout = builder.timeout;
        this.healthyThreshold = builder.healthyThreshold;
        this.unhealthyThreshold = builder.unhealthyThreshold;
    }

    /**
     * Returns the policy with every field at its default.
     *
     * @return the default health check policy
     */
    public static HealthCheckPolicy defaults() {
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
     * Returns the path (and optional query) each probe requests with {@code GET}.
     *
     * @return a path starting with {@code /}; default {@code /health}
     */
    public String path() {
        return path;
    }

    /**
     * Returns the lowest status of a passing probe.
     *
     * @return a status in [100, 599], not above {@link #maxExpectedStatus()}; default 200
     */
    public int minExpectedStatus() {
        return minExpectedStatus;
    }

    /**
     * Returns the highest status of a passing probe (inclusive).
     *
     * @return a status in [100, 599]; default 399
     */
    public int maxExpectedStatus() {
        return maxExpectedStatus;
    }

    /**
     * Tells whether a probe answered with {@code status} passes.
     *
     * @param status an HTTP status code
     * @return true if {@code minExpectedStatus <= status <= maxExpectedStatus}
     */
    public boolean isExpected(int status) {
        return status >= minExpectedStatus && status <= maxExpectedStatus;
    }

    /**
     * Returns the time between two probes of one member.
     *
     * @return a positive duration; default 10 s
     */
    public Duration interval() {
        return interval;
    }

    /**
     * Returns how long a probe may take before it counts as failed (and is cancelled).
     *
     * @return a positive duration not above {@link #interval()}; default 2 s
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Returns how many probes in a row must pass to restore a member that is ejected.
     *
     * @return a count {@code >= 1}; default 1
     */
    public int healthyThreshold() {
        return healthyThreshold;
    }

    /**
     * Returns how many probes in a row must fail to eject a member.
     *
     * @return a count {@code >= 1}; default 2
     */
    public int unhealthyThreshold() {
        return unhealthyThreshold;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HealthCheckPolicy)) {
            return false;
        }
        HealthCheckPolicy that = (HealthCheckPolicy) o;
        return minExpectedStatus == that.minExpectedStatus
                && maxExpectedStatus == that.maxExpectedStatus
                && healthyThreshold == that.healthyThreshold
                && unhealthyThreshold == that.unhealthyThreshold
                && path.equals(that.path)
                && interval.equals(that.interval)
                && timeout.equals(that.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, minExpectedStatus, maxExpectedStatus, interval, timeout, healthyThreshold,
                unhealthyThreshold);
    }

    @Override
    public String toString() {
        return "HealthCheckPolicy{path=" + Check.quote(path)
                + ", expectedStatuses=[" + minExpectedStatus + ", " + maxExpectedStatus + "]"
                + ", interval=" + interval
                + ", timeout=" + timeout
                + ", healthyThreshold=" + healthyThreshold
                + ", unhealthyThreshold=" + unhealthyThreshold
                + '}';
    }

    /**
     * Builds a {@link HealthCheckPolicy}. Setters check their own argument at once
     * ({@link IllegalArgumentException}, or {@link NullPointerException} for null); {@link #build()}
     * checks the fields against each other ({@link IllegalStateException}), so setter order never
     * matters.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private String path = DEFAULT_PATH;
        private int minExpectedStatus = DEFAULT_MIN_EXPECTED_STATUS;
        private int maxExpectedStatus = DEFAULT_MAX_EXPECTED_STATUS;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int healthyThreshold = DEFAULT_HEALTHY_THRESHOLD;
        private int unhealthyThreshold = DEFAULT_UNHEALTHY_THRESHOLD;

        private Builder() {
        }

        private Builder(HealthCheckPolicy policy) {
            this.path = policy.path;
            this.minExpectedStatus = policy.minExpectedStatus;
            this.maxExpectedStatus = policy.maxExpectedStatus;
            this.interval = policy.interval;
            this.timeout = policy.timeout;
            this.healthyThreshold = policy.healthyThreshold;
            this.unhealthyThreshold = policy.unhealthyThreshold;
        }

        /**
         * Sets the path (and optional query) each probe requests.
         *
         * @param path starts with {@code /}, has no fragment, whitespace or control character;
         *             default {@code /health}
         * @return this builder
         * @throws IllegalArgumentException if it does not start with {@code /} or holds a forbidden character
         */
        public Builder path(String path) {
            Check.notNull(path, "path");
            if (!path.startsWith("/")) {
                throw Check.argument("path", Check.quote(path), "to start with /");
            }
            for (int i = 0; i < path.length(); i++) {
                final char c = path.charAt(i);
                if (c <= ' ' || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                    throw Check.argument("path", Check.quote(path), "no whitespace or control character");
                }
                if (c == '#') {
                    throw Check.argument("path", Check.quote(path), "no fragment");
                }
            }
            this.path = path;
            return this;
        }

        /**
         * Sets the range of statuses of a passing probe, both ends included; {@link #build()} checks
         * {@code min <= max}.
         *
         * @param min lowest passing status in [100, 599]; default 200
         * @param max highest passing status in [100, 599]; default 399
         * @return this builder
         * @throws IllegalArgumentException if either is out of range
         */
        public Builder expectedStatuses(int min, int max) {
            return minExpectedStatus(min).maxExpectedStatus(max);
        }

        /**
         * Sets the lowest status of a passing probe.
         *
         * @param minExpectedStatus a status in [100, 599]; default 200
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder minExpectedStatus(int minExpectedStatus) {
            this.minExpectedStatus = Check.inRange(minExpectedStatus, 100, 599, "minExpectedStatus");
            return this;
        }

        /**
         * Sets the highest status of a passing probe (inclusive).
         *
         * @param maxExpectedStatus a status in [100, 599]; default 399
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxExpectedStatus(int maxExpectedStatus) {
            this.maxExpectedStatus = Check.inRange(maxExpectedStatus, 100, 599, "maxExpectedStatus");
            return this;
        }

        /**
         * Sets the time between two probes of one member.
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
         * Sets how long a probe may take; {@link #build()} checks it is not above the interval, so at
         * most one probe per member is in flight.
         *
         * @param timeout a positive duration; default 2 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Check.positive(timeout, "timeout");
            return this;
        }

        /**
         * Sets how many probes in a row must pass to restore an ejected member.
         *
         * @param healthyThreshold a count {@code >= 1}; default 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder healthyThreshold(int healthyThreshold) {
            this.healthyThreshold = Check.atLeast(healthyThreshold, 1, "healthyThreshold");
            return this;
        }

        /**
         * Sets how many probes in a row must fail to eject a member.
         *
         * @param unhealthyThreshold a count {@code >= 1}; default 2
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder unhealthyThreshold(int unhealthyThreshold) {
            this.unhealthyThreshold = Check.atLeast(unhealthyThreshold, 1, "unhealthyThreshold");
            return this;
        }

        /**
         * Checks the fields against each other and returns the policy.
         *
         * @return the immutable policy
         * @throws IllegalStateException if {@code minExpectedStatus > maxExpectedStatus} or
         *                               {@code timeout > interval}
         */
        public HealthCheckPolicy build() {
            if (minExpectedStatus > maxExpectedStatus) {
                throw Check.state("minExpectedStatus", minExpectedStatus, "<= maxExpectedStatus " + maxExpectedStatus);
            }
            if (timeout.compareTo(interval) > 0) {
                throw Check.state("timeout", timeout, "<= interval " + interval);
            }
            return new HealthCheckPolicy(this);
        }
    }
}
