package dev.sturdy.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.testing.ThreadAllocations;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Per-endpoint counting with the remembered last endpoint: a key equal to the last one (not only the
 * same object) finds the same record, switching endpoints counts each on its own, an endpoint evicted
 * while remembered does not swallow later counts, and counting allocates nothing.
 */
class CountersTest {

    /** A ticker the test moves by hand. */
    private static final class ManualTicker implements Ticker {
        final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public long epochMillis() {
            return now.get() / 1_000_000;
        }
    }

    @Test
    void equalKeysShareOneRecordAndDifferentKeysCountApart() {
        Counters counters = new Counters(new ManualTicker());
        for (int i = 0; i < 10; i++) {
            // a new but equal key each time, as HttpClient builds a new HttpHost per request
            counters.increment(ResilienceCounter.RQ_TOTAL, URI.create("http://a.example:80"), 0L);
            if (i % 3 == 0) {
                counters.increment(ResilienceCounter.RQ_TOTAL, URI.create("http://b.example:80"), 0L);
            }
        }
        counters.increment(ResilienceCounter.RQ_RETRY, URI.create("http://a.example:80"));
        counters.increment(ResilienceCounter.RQ_RETRY, null); // the client's only
        counters.add(ResilienceCounter.EJECTIONS_ACTIVE, URI.create("http://b.example:80"), 1);
        counters.add(ResilienceCounter.EJECTIONS_ACTIVE, URI.create("http://b.example:80"), -1);

        assertThat(counters.get("http://a.example:80", ResilienceCounter.RQ_TOTAL)).isEqualTo(10);
        assertThat(counters.get("http://b.example:80", ResilienceCounter.RQ_TOTAL)).isEqualTo(4);
        assertThat(counters.get("http://a.example:80", ResilienceCounter.RQ_RETRY)).isEqualTo(1);
        assertThat(counters.get(ResilienceCounter.RQ_RETRY)).isEqualTo(2);
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
        assertThat(counters.snapshot()).containsEntry(ResilienceCounter.RQ_TOTAL, 14L)
                .containsEntry(ResilienceCounter.RQ_RETRY, 2L);
        assertThat(counters.get(ResilienceCounter.RQ_TOTAL)).isEqualTo(14);
        assertThat(counters.endpoints()).containsExactly("http://a.example:80", "http://b.example:80");
    }

    @Test
    void anEvictedEndpointCountsAgainFromZeroWhenItComesBack() {
        ManualTicker ticker = new ManualTicker();
        Counters counters = new Counters(ticker);
        URI old = URI.create("http://old.example:80");
        counters.increment(ResilienceCounter.RQ_TOTAL, old, ticker.nanoTime());
        counters.increment(ResilienceCounter.RQ_TOTAL, old, ticker.nanoTime());
        // fill the map with newer endpoints until the old one is evicted
        for (int i = 0; i <= Counters.MAX_TRACKED_ENDPOINTS; i++) {
            ticker.now.addAndGet(10_000_000L);
            counters.increment(ResilienceCounter.RQ_TOTAL, URI.create("http://h" + i + ".example:80"), ticker.nanoTime());
        }
        assertThat(counters.endpoints()).doesNotContain("http://old.example:80");

        ticker.now.addAndGet(10_000_000L);
        counters.increment(ResilienceCounter.RQ_TOTAL, old, ticker.nanoTime());
        assertThat(counters.get("http://old.example:80", ResilienceCounter.RQ_TOTAL)).isEqualTo(1);
        assertThat(counters.get(ResilienceCounter.RQ_TOTAL)).isEqualTo(2 + Counters.MAX_TRACKED_ENDPOINTS + 1 + 1);
    }

    @Test
    void countingOneEndpointAllocatesNothing() throws ReflectiveOperationException {
        ThreadAllocations allocations = ThreadAllocations.meter();
        ManualTicker ticker = new ManualTicker();
        Counters counters = new Counters(ticker);
        URI a = URI.create("http://a.example:80");
        URI b = URI.create("http://b.example:80");
        counters.increment(ResilienceCounter.RQ_TOTAL, a, 0L);
        counters.increment(ResilienceCounter.RQ_TOTAL, b, 0L);
        Runnable calls = () -> {
            for (int i = 0; i < 200_000; i++) {
                counters.increment(ResilienceCounter.RQ_TOTAL, (i & 7) == 0 ? b : a, i * 1_000L);
            }
        };
        calls.run(); // warm up
        assertThat(allocations.allocatedBy(calls)).as("bytes for 200 000 counts").isLessThan(64 * 1024);
    }
}
