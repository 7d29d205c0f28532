package dev.sturdy.internal.ejection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.internal.runtime.Counters;
import dev.sturdy.testing.ThreadAllocations;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The success path allocates nothing: looking up a known endpoint, asking whether it is ejected, picking
 * a group member, counting it outstanding and recording a success. Measured with the JVM's per-thread
 * allocation counter ({@link ThreadAllocations}).
 */
class OutlierDetectorAllocationTest {

    private static final int CALLS = 200_000;
    private static final long BUDGET_BYTES = 64 * 1024;

    private ThreadAllocations allocations;

    @BeforeEach
    void allocationCounterIsAvailable() throws ReflectiveOperationException {
        allocations = ThreadAllocations.meter();
    }

    @Test
    void theSuccessPathAllocatesNothing() throws ReflectiveOperationException {
        FakeTicker ticker = new FakeTicker();
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.defaults()), ticker,
                new Counters(ticker), ResilienceListener.NONE);
        URI lone = URI.create("http://127.0.0.1:9000");
        d.endpoint(lone);
        EndpointSelector rr = d.group(EndpointGroup.of("http://orders", "http://127.0.0.1:8081",
                "http://127.0.0.1:8082", "http://127.0.0.1:8083"));
        EndpointSelector lo = d.group(EndpointGroup.builder("http://billing")
                .members("http://127.0.0.1:9081", "http://127.0.0.1:9082")
                .loadBalancing(EndpointGroup.LoadBalancing.LEAST_OUTSTANDING).build());
        int[] sink = new int[1];
        Runnable calls = () -> {
            for (int i = 0; i < CALLS; i++) {
                ticker.advanceNanos(1_000);
                long now = ticker.nanoTime();
                EndpointState s = d.endpoint(lone);
                if (!d.isEjected(s, now)) {
                    s.requestStarted();
                    d.onResponse(s, 200);
                    s.requestEnded();
                }
                EndpointSelector sel = (i & 1) == 0 ? rr : lo;
                int picked = sel.select(i & 1, now);
                EndpointState m = sel.member(picked);
                m.requestStarted();
                d.onResponse(m, 404);
                m.requestEnded();
                sink[0] += picked;
                d.sweepIfDue(now); // not due: 200,000 calls span 0.2 s of fake time per run
            }
        };
        assertThat(allocations.allocatedBy(calls)).isLessThan(BUDGET_BYTES);
        assertThat(sink[0]).isPositive();
    }
}
