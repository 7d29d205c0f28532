package dev.sturdy.internal.ejection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.internal.runtime.Counters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Real threads racing on one group: errors, successes, picks, sweeps and a moving clock. The share of
 * ejected members is never above the cap, seen from another thread at any moment, and the gauge
 * matches the truth once the threads stop. No sleeping: the threads run a fixed amount of work.
 */
class OutlierDetectorConcurrencyTest {

    @Test
    void racingThreadsNeverEjectMoreThanTheCapAndLeaveConsistentCounts() throws InterruptedException {
        FakeTicker ticker = new FakeTicker();
        Counters counters = new Counters(ticker);
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().consecutiveErrors(2)
                .maxEjectionPercent(50).baseEjectionTime(Duration.ofMillis(50)).maxEjectionTime(Duration.ofMillis(500))
                .interval(Duration.ofMillis(20)).build()), ticker, counters, ResilienceListener.NONE);
        EndpointSelector sel = d.group(EndpointGroup.builder("http://orders")
                .members("http://127.0.0.1:8081", "http://127.0.0.1:8082", "http://127.0.0.1:8083",
                        "http://127.0.0.1:8084", "http://127.0.0.1:8085", "http://127.0.0.1:8086")
                .loadBalancing(EndpointGroup.LoadBalancing.LEAST_OUTSTANDING).build());
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors());
        CountDownLatch start = new CountDownLatch(1);
        // the workers begin once the watcher has taken its first snapshot, so it watches while they work
        CountDownLatch watching = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger worst = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                awaitQuietly(start);
                awaitQuietly(watching);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 20_000; i++) {
                    long now = ticker.nanoTime();
                    int picked = sel.select(random.nextInt(4) == 0 ? 1L << random.nextInt(6) : 0, now);
                    assertThat(picked).isNotEqualTo(EndpointSelector.NONE); // 50 % of 6: 3 always admitted
                    EndpointState s = sel.member(picked);
                    s.requestStarted();
                    if (picked < 5 && random.nextInt(3) > 0) {
                        d.onResponse(s, 503);
                    } else {
                        d.onResponse(s, 200);
                    }
                    s.requestEnded();
                    if (random.nextInt(64) == 0) {
                        ticker.advanceNanos(1_000_000);
                    }
                    if (random.nextInt(256) == 0) {
                        d.sweepIfDue(now);
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        Thread watcher = new Thread(() -> {
            awaitQuietly(start);
            while (!done.get()) {
                int flagged = 0;
                synchronized (sel) { // every member transition happens under the group's lock: an exact snapshot
                    for (int i = 0; i < sel.size(); i++) {
                        flagged += sel.member(i).flagged() ? 1 : 0;
                    }
                }
                worst.accumulateAndGet(flagged, Math::max);
                watching.countDown();
                Thread.onSpinWait();
            }
        });
        watcher.start();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        done.set(true);
        watcher.join();

        // at most the cap; possibly 0 if the watcher's snapshots all fell between ejections (that ejections
        // happened at all is checked on EJECTIONS_TOTAL below)
        assertThat(worst.get()).as("most members seen ejected at once").isLessThanOrEqualTo(3);
        int flagged = 0;
        for (int i = 0; i < sel.size(); i++) {
            flagged += sel.member(i).flagged() ? 1 : 0;
            assertThat(sel.member(i).outstanding()).isZero();
        }
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(flagged);
        assertThat(counters.get(ResilienceCounter.EJECTIONS_TOTAL)).isGreaterThanOrEqualTo(flagged).isPositive();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
