package dev.sturdy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * When and how a failed HTTP attempt is retried (Azure Container Apps {@code httpRetryPolicy}, Envoy's
 * route retry policy).
 *
 * <table>
 *   <caption>Fields, defaults and their Azure Container Apps names</caption>
 *   <tr><th>field</th><th>default</th><th>Azure</th></tr>
 *   <tr><td>{@link #maxRetries()}</td><td>3</td><td>{@code maxRetries}</td></tr>
 *   <tr><td>{@link #initialDelay()}</td><td>1 s</td><td>{@code retryBackOff.initialDelayInMilliseconds}</td></tr>
 *   <tr><td>{@link #maxInterval()}</td><td>10 s</td><td>{@code retryBackOff.maxIntervalInMilliseconds}</td></tr>
 *   <tr><td>{@link #retryOn()}</td><td>{@code [5xx]}</td><td>{@code matches.errors}</td></tr>
 *   <tr><td>{@link #statusCodes()}</td><td>none</td><td>{@code matches.httpStatusCodes}</td></tr>
 *   <tr><td>{@link #headers()}</td><td>none</td><td>{@code matches.headers}</td></tr>
 *   <tr><td>{@link #respectRetryAfter()}, {@link #maxRetryAfter()}</td><td>true, 60 s</td><td>-</td></tr>
 *   <tr><td>{@link #retryNonIdempotent()}</td><td>false</td><td>-</td></tr>
 *   <tr><td>{@link #budget()}</td><td>20 %, min 3</td><td>-</td></tr>
 * </table>
 *
 * <p>Before retry {@code N} (1-based) the client waits a uniformly random time in
 * {@code [0, min(maxInterval, (2^N - 1) * initialDelay))} (Envoy's fully jittered exponential backoff),
 * or the server's {@code Retry-After} when {@link #respectRetryAfter()} is on and it is usable.
 *
 * <p>A request that may have reached the server is retried only if its method is idempotent (GET,
 * HEAD, OPTIONS, TRACE, PUT, DELETE), unless {@link #retryNonIdempotent()} is set; a request that
 * provably never reached it (connect failure, refused stream) is retried whatever its method.
 *
 * <p>Thread-safety: immutable and thread-safe. The {@link Builder} is not thread-safe.
 */
public final class HttpRetryPolicy {

    /** Default number of retries after the first attempt: {@value}. */
    public static final int DEFAULT_MAX_RETRIES = 3;
    /** Default backoff base: 1 second. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    /** Default backoff cap: 10 seconds. */
    public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(10);
    /** Default retry conditions: {@code [5xx]} (unmodifiable). */
    public static final Set<RetryOn> DEFAULT_RETRY_ON = Collections.unmodifiableSet(EnumSet.of(RetryOn.FIVE_XX));
    /** Default status codes for {@link RetryOn#RETRIABLE_STATUS_CODES}: none (unmodifiable). */
    public static final Set<Integer> DEFAULT_STATUS_CODES = Collections.unmodifiableSortedSet(new TreeSet<>());
    /** Default header matchers for {@link RetryOn#RETRIABLE_HEADERS}: none (unmodifiable). */
    public static final List<HeaderMatch> DEFAULT_HEADERS = List.of();
    /** Default for honouring the server's {@code Retry-After}: {@value}. */
    public static final boolean DEFAULT_RESPECT_RETRY_AFTER = true;
    /** Default cap on a server-directed delay: 60 seconds; a longer {@code Retry-After} is ignored. */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);
    /** Default for retrying non-idempotent requests that may have reached the server: {@value}. */
    public static final boolean DEFAULT_RETRY_NON_IDEMPOTENT = false;
    /** Default retry budget: 20 % of active requests, at least 3 concurrent retries. */
    public static final RetryBudget DEFAULT_BUDGET = RetryBudget.defaults();

    /** Lowest status code accepted in {@link #statusCodes()}: {@value}. */
    public static final int MIN_STATUS_CODE = 100;
    /** Highest status code accepted in {@link #statusCodes()}: {@value}. */
    public static final int MAX_STATUS_CODE = 599;

    private static final HttpRetryPolicy DEFAULTS = new Builder().build();

    private final int maxRetries;
    private final Duration initialDelay;
    private final Duration maxInterval;
    private final Set<RetryOn> retryOn;
    private final Set<Integer> statusCodes;
    private final List<HeaderMatch> headers;
    private final boolean respectRetryAfter;
    private final Duration maxRetryAfter;
    private final boolean retryNonIdempotent;
    private final RetryBudget budget;

    private HttpRetryPolicy(Builder builder) {
        this.maxRetries = builder.maxRetries;
        this.initialDelay = builder.initialDelay;
        this.maxInterval = builder.maxInterval;
        this.retryOn = Collections.unmodifiableSet(EnumSet.copyOf(builder.retryOn));
        this.statusCodes = Collections.unmodifiableSortedSet(new TreeSet<>(builder.statusCodes));
        this.headers = List.copyOf(builder.headers);
        this.respectRetryAfter = builder.respectRetryAfter;
        this.maxRetryAfter = builder.maxRetryAfter;
        this.retryNonIdempotent = builder.retryNonIdempotent;
        this.budget = builder.budget;
    }

    /**
     * Returns the policy with every field at its default: 3 retries, 1 s / 10 s backoff, {@code [5xx]},
     * Retry-After honoured up to 60 s, idempotent requests only, the default budget.
     *
     * @return the default retry policy
     */
    public static HttpRetryPolicy defaults() {
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
     * Returns the number of retries after the first attempt; a call makes at most
     * {@code maxRetries + 1} attempts.
     *
     * @return a count {@code >= 0} (0 disables retries); default 3
     */
    public int maxRetries() {
        return maxRetries;
    }

    /**
     * Returns the backoff base {@code B}: retry {@code N} waits up to {@code (2^N - 1) * B}.
     *
     * @return a positive duration not above {@link #maxInterval()}; default 1 s
     */
    public Duration initialDelay() {
        return initialDelay;
    }

    /**
     * Returns the backoff cap: no computed backoff wait reaches it.
     *
     * @return a positive duration; default 10 s
     */
    public Duration maxInterval() {
        return maxInterval;
    }

    /**
     * Returns the retry conditions; an attempt is retried when any of them matches.
     *
     * @return an unmodifiable, non-empty set iterating in {@link RetryOn} declaration order;
     *     default {@code [5xx]}
     */
    public Set<RetryOn> retryOn() {
        return retryOn;
    }

    /**
     * Tells whether {@link #retryOn()} contains a condition.
     *
     * @param condition the condition
     * @return true when the condition is configured
     */
    public boolean retries(RetryOn condition) {
        return retryOn.contains(condition);
    }

    /**
     * Returns the status codes retried under {@link RetryOn#RETRIABLE_STATUS_CODES}.
     *
     * @return an unmodifiable set in ascending order, each code in [100, 599]; default empty
     */
    public Set<Integer> statusCodes() {
        return statusCodes;
    }

    /**
     * Returns the header matchers used under {@link RetryOn#RETRIABLE_HEADERS}.
     *
     * @return an unmodifiable list in the order configured; default empty
     */
    public List<HeaderMatch> headers() {
        return headers;
    }

    /**
     * Tells whether a usable {@code Retry-After} on a retriable response replaces the computed backoff.
     *
     * @return true (the default) to honour the server's delay, up to {@link #maxRetryAfter()}
     */
    public boolean respectRetryAfter() {
        return respectRetryAfter;
    }

    /**
     * Returns the longest server-directed delay honoured; a longer {@code Retry-After} is ignored and
     * the computed backoff is used instead.
     *
     * @return a positive duration; default 60 s
     */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /**
     * Tells whether requests with a non-idempotent method (such as POST or PATCH) are retried even after
     * they may have reached the server.
     *
     * @return false (the default) to retry them only when they provably never reached the server
     */
    public boolean retryNonIdempotent() {
        return retryNonIdempotent;
    }

    /**
     * Returns the budget that caps concurrent retries per client.
     *
     * @return the budget; default {@link RetryBudget#defaults()}
     */
    public RetryBudget budget() {
        return budget;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HttpRetryPolicy)) {
            return false;
        }
        HttpRetryPolicy that = (HttpRetryPolicy) o;
        return maxRetries == that.maxRetries
                && respectRetryAfter == that.respectRetryAfter
                && retryNonIdempotent == that.retryNonIdempotent
                && initialDelay.equals(that.initialDelay)
                && maxInterval.equals(that.maxInterval)
                && retryOn.equals(that.retryOn)
                && statusCodes.equals(that.statusCodes)
                && headers.equals(that.headers)
                && maxRetryAfter.equals(that.maxRetryAfter)
                && budget.equals(that.budget);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRetries, initialDelay, maxInterval, retryOn, statusCodes, headers,
                respectRetryAfter, maxRetryAfter, retryNonIdempotent, budget);
    }

    @Override
    public String toString() {
        return "HttpRetryPolicy{maxRetries=" + maxRetries
                + ", initialDelay=" + initialDelay
                + ", maxInterval=" + maxInterval
                + ", retryOn=" + retryOn
                + ", statusCodes=" + statusCodes
                + ", headers=" + headers
                + ", respectRetryAfter=" + respectRetryAfter
                + ", maxRetryAfter=" + maxRetryAfter
                + ", retryNonIdempotent=" + retryNonIdempotent
                + ", budget=" + budget
                + '}';
    }

    /**
     * Builds an {@link HttpRetryPolicy}. Setters check their own argument at once
     * ({@link IllegalArgumentException}, or {@link NullPointerException} for null); {@link #build()}
     * checks the fields against each other ({@link IllegalStateException}), so setter order never
     * matters.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private Duration maxInterval = DEFAULT_MAX_INTERVAL;
        private EnumSet<RetryOn> retryOn = EnumSet.copyOf(DEFAULT_RETRY_ON);
        private SortedSet<Integer> statusCodes = new TreeSet<>();
        private List<HeaderMatch> headers = new ArrayList<>();
        private boolean respectRetryAfter = DEFAULT_RESPECT_RETRY_AFTER;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
        private boolean retryNonIdempotent = DEFAULT_RETRY_NON_IDEMPOTENT;
        private RetryBudget budget = DEFAULT_BUDGET;

        private Builder() {
        }

        private Builder(HttpRetryPolicy policy) {
            this.maxRetries = policy.maxRetries;
            this.initialDelay = policy.initialDelay;
            this.maxInterval = policy.maxInterval;
            this.retryOn = EnumSet.copyOf(policy.retryOn);
            this.statusCodes = new TreeSet<>(policy.statusCodes);
            this.headers = new ArrayList<>(policy.headers);
            this.respectRetryAfter = policy.respectRetryAfter;
            this.maxRetryAfter = policy.maxRetryAfter;
            this.retryNonIdempotent = policy.retryNonIdempotent;
            this.budget = policy.budget;
        }

        /**
         * Sets the number of retries after the first attempt.
         *
         * @param maxRetries a count {@code >= 0}; 0 disables retries; default 3
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = Check.atLeast(maxRetries, 0, "maxRetries");
            return this;
        }

        /**
         * Sets the backoff base; {@link #build()} checks it is not above the cap.
         *
         * @param initialDelay a positive duration; default 1 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = Check.positive(initialDelay, "initialDelay");
            return this;
        }

        /**
         * Sets the backoff cap.
         *
         * @param maxInterval a positive duration; default 10 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxInterval(Duration maxInterval) {
            this.maxInterval = Check.positive(maxInterval, "maxInterval");
            return this;
        }

        /**
         * Sets the backoff base and cap together.
         *
         * @param initialDelay a positive duration; default 1 s
         * @param maxInterval a positive duration, not below {@code initialDelay}; default 10 s
         * @return this builder
         * @throws IllegalArgumentException if a value is not positive
         */
        public Builder backoff(Duration initialDelay, Duration maxInterval) {
            Duration checkedInitialDelay = Check.positive(initialDelay, "initialDelay");
            this.maxInterval = Check.positive(maxInterval, "maxInterval");
            this.initialDelay = checkedInitialDelay;
            return this;
        }

        /**
         * Replaces the retry conditions.
         *
         * @param conditions one or more conditions; default {@code [5xx]}
         * @return this builder
         * @throws IllegalArgumentException if no condition is given
         * @throws NullPointerException if the array or an element is null
         */
        public Builder retryOn(RetryOn... conditions) {
            Check.notNull(conditions, "retryOn");
            EnumSet<RetryOn> set = EnumSet.noneOf(RetryOn.class);
            for (int i = 0; i < conditions.length; i++) {
                set.add(Check.notNull(conditions[i], "retryOn[" + i + "]"));
            }
            if (set.isEmpty()) {
                throw Check.argument("retryOn", set, "non-empty");
            }
            this.retryOn = set;
            return this;
        }

        /**
         * Replaces the status codes retried under {@link RetryOn#RETRIABLE_STATUS_CODES}; {@link #build()}
         * checks that the condition and the codes are configured together.
         *
         * @param codes status codes, each in [100, 599]; none clears the set (the default)
         * @return this builder
         * @throws IllegalArgumentException if a code is out of range
         * @throws NullPointerException if the array is null
         */
        public Builder statusCodes(int... codes) {
            Check.notNull(codes, "statusCodes");
            SortedSet<Integer> set = new TreeSet<>();
            for (int code : codes) {
                set.add(Check.inRange(code, MIN_STATUS_CODE, MAX_STATUS_CODE, "statusCodes"));
            }
            this.statusCodes = set;
            return this;
        }

        /**
         * Adds a header matcher for {@link RetryOn#RETRIABLE_HEADERS}.
         *
         * @param header the matcher to append
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder header(HeaderMatch header) {
            headers.add(Check.notNull(header, "header"));
            return this;
        }

        /**
         * Replaces the header matchers for {@link RetryOn#RETRIABLE_HEADERS}.
         *
         * @param headers the matchers, in order; empty clears them (the default)
         * @return this builder
         * @throws NullPointerException if the list or an element is null
         */
        public Builder headers(List<HeaderMatch> headers) {
            Check.notNull(headers, "headers");
            List<HeaderMatch> copy = new ArrayList<>(headers.size());
            for (int i = 0; i < headers.size(); i++) {
                copy.add(Check.notNull(headers.get(i), "headers[" + i + "]"));
            }
            this.headers = copy;
            return this;
        }

        /**
         * Sets whether a usable {@code Retry-After} on a retriable response replaces the computed backoff.
         *
         * @param respect true (the default) to honour it, up to {@link #maxRetryAfter(Duration)}
         * @return this builder
         */
        public Builder retryAfter(boolean respect) {
            this.respectRetryAfter = respect;
            return this;
        }

        /**
         * Sets the longest server-directed delay honoured.
         *
         * @param maxRetryAfter a positive duration; default 60 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = Check.positive(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /**
         * Sets whether non-idempotent requests are retried even after they may have reached the server.
         *
         * @param retryNonIdempotent true to retry them; default false
         * @return this builder
         */
        public Builder retryNonIdempotent(boolean retryNonIdempotent) {
            this.retryNonIdempotent = retryNonIdempotent;
            return this;
        }

        /**
         * Sets the budget that caps concurrent retries per client.
         *
         * @param budget the budget; default {@link RetryBudget#defaults()}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder budget(RetryBudget budget) {
            this.budget = Check.notNull(budget, "budget");
            return this;
        }

        /**
         * Checks the fields against each other and returns the policy.
         *
         * @return the immutable policy
         * @throws IllegalStateException if {@code initialDelay > maxInterval}, or if
         *     {@link RetryOn#RETRIABLE_STATUS_CODES} and the status codes (or
         *     {@link RetryOn#RETRIABLE_HEADERS} and the header matchers) are not configured together
         */
        public HttpRetryPolicy build() {
            if (initialDelay.compareTo(maxInterval) > 0) {
                throw Check.state("initialDelay", initialDelay, "<= maxInterval " + maxInterval);
            }
            checkPaired(RetryOn.RETRIABLE_STATUS_CODES, "statusCodes", statusCodes.isEmpty(), statusCodes);
            checkPaired(RetryOn.RETRIABLE_HEADERS, "headers", headers.isEmpty(), headers);
            return new HttpRetryPolicy(this);
        }

        private void checkPaired(RetryOn condition, String field, boolean empty, Object value) {
            boolean enabled = retryOn.contains(condition);
            if (enabled && empty) {
                throw Check.state(field, value, "non-empty when retryOn contains " + condition.token());
            }
            if (!enabled && !empty) {
                throw Check.state("retryOn", retryOn, "to contain " + condition.token() + " when " + field + " is set");
            }
        }
    }
}
