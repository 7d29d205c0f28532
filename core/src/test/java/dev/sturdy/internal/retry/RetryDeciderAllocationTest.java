package dev.sturdy.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.testing.ThreadAllocations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hot path allocates nothing: {@link RetryDecider#decide} (without regex matchers) and
 * {@link Backoff#delayNanos}. Measured with the JVM's per-thread allocation counter
 * ({@link ThreadAllocations}) over many calls, so a single allocation per call (at least 16 bytes) would
 * exceed the budget many times over.
 */
class RetryDeciderAllocationTest {

    private static final int CALLS = 200_000;
    private static final long BUDGET_BYTES = 64 * 1024; // measurement noise; one object per call would be >= 3 MB

    private ThreadAllocations allocations;

    @BeforeEach
    void allocationCounterIsAvailable() throws ReflectiveOperationException {
        allocations = ThreadAllocations.meter();
    }

    @Test
    void decidingAllocatesNothing() throws ReflectiveOperationException {
        RetryDecider decider = new RetryDecider(HttpRetryPolicy.builder()
                .retryOn(RetryOn.FIVE_XX, RetryOn.RETRIABLE_STATUS_CODES, RetryOn.RETRIABLE_HEADERS)
                .statusCodes(429)
                .header(HeaderMatch.exact("x-ms-retriable", "true"))
                .header(HeaderMatch.prefix("x-state", "busy"))
                .build());
        FakeAttempt[] attempts = {
            FakeAttempt.response("GET", 503),
            FakeAttempt.response("GET", 200).header("x-ms-retriable", "true"),
            FakeAttempt.response("POST", 429),
            FakeAttempt.response("GET", 404).header("x-state", "idle"),
            FakeAttempt.failure("POST", FailureClass.CONNECT_FAILURE, false),
            FakeAttempt.failure("PUT", FailureClass.RESET, true).notRepeatable(),
            FakeAttempt.failure("GET", FailureClass.CANCELLED, true),
        };
        int[] sink = new int[1];
        Runnable calls = () -> {
            for (int i = 0; i < CALLS; i++) {
                sink[0] += decider.decide(attempts[i % attempts.length], i & 3).ordinal();
            }
        };

        assertThat(allocations.allocatedBy(calls)).isLessThan(BUDGET_BYTES);
        assertThat(sink[0]).isPositive();
    }

    @Test
    void computingABackoffAllocatesNothing() throws ReflectiveOperationException {
        Backoff backoff = Backoff.of(HttpRetryPolicy.defaults());
        long[] sink = new long[1];
        Runnable calls = () -> {
            for (int i = 0; i < CALLS; i++) {
                sink[0] += backoff.delayNanos(1 + (i & 127), (i & 1023) / 1024.0);
            }
        };

        assertThat(allocations.allocatedBy(calls)).isLessThan(BUDGET_BYTES);
        assertThat(sink[0]).isPositive();
    }
}
