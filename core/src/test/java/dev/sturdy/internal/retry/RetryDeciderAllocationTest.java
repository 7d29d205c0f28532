package dev.sturdy.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.RetryOn;
import java.lang.reflect.Method;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hot path allocates nothing: {@link RetryDecider#decide} (without regex matchers) and
 * {@link Backoff#delayNanos}. Measured with the JVM's per-thread allocation counter over many calls, so
 * a single allocation per call (at least 16 bytes) would exceed the budget many times over.
 *
 * <p>The counter ({@code com.sun.management.ThreadMXBean}) is reached by reflection: test sources are
 * compiled into the {@code dev.sturdy.core} module, which does not (and should not) read the management
 * modules; tests run on the class path, where they are visible.
 */
class RetryDeciderAllocationTest {

    private static final int CALLS = 200_000;
    private static final long BUDGET_BYTES = 64 * 1024; // measurement noise; one object per call would be >= 3 MB

    private Object threads;
    private Method allocatedBytes;

    @BeforeEach
    void allocationCounterIsAvailable() throws ReflectiveOperationException {
        Class<?> counterType;
        try {
            counterType = Class.forName("com.sun.management.ThreadMXBean");
        } catch (ClassNotFoundException e) {
            counterType = null;
        }
        assumeTrue(counterType != null, "no per-thread allocation counter on this JVM");
        threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        assumeTrue(counterType.isInstance(threads), "no per-thread allocation counter on this JVM");
        boolean supported = (Boolean) counterType.getMethod("isThreadAllocatedMemorySupported").invoke(threads)
                && (Boolean) counterType.getMethod("isThreadAllocatedMemoryEnabled").invoke(threads);
        assumeTrue(supported, "per-thread allocation counter disabled");
        allocatedBytes = counterType.getMethod("getThreadAllocatedBytes", long.class);
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

        assertThat(allocatedBy(calls)).isLessThan(BUDGET_BYTES);
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

        assertThat(allocatedBy(calls)).isLessThan(BUDGET_BYTES);
        assertThat(sink[0]).isPositive();
    }

    private long allocatedBy(Runnable calls) throws ReflectiveOperationException {
        calls.run(); // warm up: class loading and first-call allocations are not the hot path
        long threadId = Thread.currentThread().getId();
        long before = (Long) allocatedBytes.invoke(threads, threadId);
        calls.run();
        return (Long) allocatedBytes.invoke(threads, threadId) - before;
    }
}
