package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.RetryOn;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The retry settings the fault table runs under. Each is fast (backoff 1 ms / 2 ms, 2 retries, so at
 * most 3 attempts) and spells out its conditions as plain data, which the {@link SpecOracle} reads
 * (it never asks the code under test what a condition means).
 */
public enum RetrySetting {

    FIVE_XX("retryOn 5xx", EnumSet.of(RetryOn.FIVE_XX), Set.of(), null, false),
    GATEWAY_ERROR("retryOn gateway-error", EnumSet.of(RetryOn.GATEWAY_ERROR), Set.of(), null, false),
    RESET("retryOn reset", EnumSet.of(RetryOn.RESET), Set.of(), null, false),
    CONNECT_FAILURE("retryOn connect-failure", EnumSet.of(RetryOn.CONNECT_FAILURE), Set.of(), null, false),
    RETRIABLE_4XX("retryOn retriable-4xx", EnumSet.of(RetryOn.RETRIABLE_4XX), Set.of(), null, false),
    STATUS_CODES_429("retryOn retriable-status-codes [429]", EnumSet.of(RetryOn.RETRIABLE_STATUS_CODES),
            Set.of(429), null, false),
    HEADER_X_MS_RETRIABLE("retryOn retriable-headers [x-ms-retriable exact true]",
            EnumSet.of(RetryOn.RETRIABLE_HEADERS), Set.of(), new String[] {"x-ms-retriable", "true"}, false),
    FIVE_XX_NON_IDEMPOTENT("retryOn 5xx + retryNonIdempotent", EnumSet.of(RetryOn.FIVE_XX), Set.of(), null, true),
    NONE("no retry policy", EnumSet.noneOf(RetryOn.class), Set.of(), null, false);

    /** Retries after the first attempt, for every setting that retries. */
    public static final int MAX_RETRIES = 2;
    public static final Duration INITIAL_DELAY = Duration.ofMillis(1);
    public static final Duration MAX_INTERVAL = Duration.ofMillis(2);

    private final String label;
    private final Set<RetryOn> conditions;
    private final Set<Integer> statusCodes;
    private final String[] exactHeader; // {name, value} or null
    private final boolean retryNonIdempotent;

    RetrySetting(String label, Set<RetryOn> conditions, Set<Integer> statusCodes, String[] exactHeader,
                 boolean retryNonIdempotent) {
        this.label = label;
        this.conditions = conditions;
        this.statusCodes = statusCodes;
        this.exactHeader = exactHeader;
        this.retryNonIdempotent = retryNonIdempotent;
    }

    /** Whether a retry policy is set at all. */
    public boolean retries() {
        return !conditions.isEmpty();
    }

    /** Whether {@code condition} is one of this setting's {@code retryOn} values. */
    public boolean has(RetryOn condition) {
        return conditions.contains(condition);
    }

    /** The codes of {@code retriable-status-codes}. */
    public Set<Integer> statusCodes() {
        return statusCodes;
    }

    /** The {@code {name, value}} of the one exact header matcher, if any. */
    public Optional<String[]> exactHeader() {
        return Optional.ofNullable(exactHeader).map(String[]::clone);
    }

    /** The policy-level {@code retryNonIdempotent}. */
    public boolean retryNonIdempotent() {
        return retryNonIdempotent;
    }

    /** The attempts a call makes when every attempt is retriable. */
    public int maxAttempts() {
        return retries() ? MAX_RETRIES + 1 : 1;
    }

    /** The retry policy, or empty for {@link #NONE}. */
    public Optional<HttpRetryPolicy> policy() {
        if (!retries()) {
            return Optional.empty();
        }
        HttpRetryPolicy.Builder builder = HttpRetryPolicy.builder()
                .maxRetries(MAX_RETRIES)
                .backoff(INITIAL_DELAY, MAX_INTERVAL)
                .retryOn(conditions.toArray(new RetryOn[0]))
                .retryNonIdempotent(retryNonIdempotent);
        if (!statusCodes.isEmpty()) {
            builder.statusCodes(statusCodes.stream().mapToInt(Integer::intValue).toArray());
        }
        if (exactHeader != null) {
            builder.header(HeaderMatch.exact(exactHeader[0], exactHeader[1]));
        }
        return Optional.of(builder.build());
    }

    @Override
    public String toString() {
        return label;
    }
}
