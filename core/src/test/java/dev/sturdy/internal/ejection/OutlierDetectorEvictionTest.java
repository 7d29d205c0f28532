package dev.sturdy.internal.ejection;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.internal.runtime.Counters;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-endpoint map stays bounded (Resilience4j issue #703: per-URL breakers leaking memory). */
class OutlierDetectorEvictionTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Counters counters = new Counters(ticker);

    /** A key like HttpHost: value equality, {@code toString()} is {@code scheme://host:port}. */
    private record Host(String host, int port) {
        @Override
        public String toString() {
            return "http://" + host + ":" + port;
        }
    }

    private static Host host(int i) {
        return new Host("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 80);
    }

    @Test
    void aHundredThousandDistinctEndpointsNeverGrowTheMapBeyondItsBound() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().consecutiveErrors(1).build()),
                ticker, counters, ResilienceListener.NONE);

        for (int i = 0; i < 100_000; i++) {
            EndpointState s = d.endpoint(host(i));
            d.isEjected(s, ticker.nanoTime());
            if (i % 100 == 0) {
                d.onError(s, ErrorKind.LOCAL_ORIGIN); // some are ejected, and must survive eviction
            } else {
                d.onSuccess(s);
            }
            assertThat(d.size()).as("after %d endpoints", i + 1).isLessThanOrEqualTo(OutlierDetector.DEFAULT_MAX_ENDPOINTS);
            ticker.advance(ofMillis(1));
            d.sweepIfDue(ticker.nanoTime());
        }

        assertThat(counters.get(ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(1000);
        ticker.advance(ofSeconds(30));
        d.sweep(ticker.nanoTime());
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
        ticker.advance(ofSeconds(OutlierDetector.IDLE_INTERVALS * 10L));
        d.sweep(ticker.nanoTime());
        assertThat(d.size()).isZero();
    }

    @Test
    void whenFullTheLeastRecentlyUsedEndpointsGoFirstAndEjectedOnesStay() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().consecutiveErrors(1).build()),
                ticker, counters, ResilienceListener.NONE, 8);
        for (int i = 0; i < 8; i++) {
            d.endpoint(host(i));
            ticker.advance(ofSeconds(1));
        }
        d.onError(host(1), ErrorKind.GATEWAY_ERROR);                      // the oldest but one: ejected
        d.isEjected(d.endpoint(host(0)), ticker.nanoTime());              // the oldest: used again now

        EndpointState newcomer = d.endpoint(host(100));

        assertThat(d.size()).isEqualTo(8);
        assertThat(d.tracks(host(1))).as("ejected: kept").isTrue();
        assertThat(d.isEjected((Object) host(1), ticker.nanoTime())).isTrue();
        assertThat(d.tracks(host(0))).as("used again: kept").isTrue();
        assertThat(d.tracks(host(2))).as("least recently used of the evictable: evicted").isFalse();
        assertThat(d.endpoint(host(100))).isSameAs(newcomer);
    }

    @Test
    void theLeastRecentlyUsedQuarterIsEvictedInOnePass() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.defaults()), ticker, counters,
                ResilienceListener.NONE, 8);
        for (int i = 0; i < 8; i++) {
            d.endpoint(host(i));
            ticker.advance(ofSeconds(1));
        }
        d.isEjected(d.endpoint(host(0)), ticker.nanoTime());

        d.endpoint(host(100));

        assertThat(d.size()).isEqualTo(7); // 8 - 2 evicted + 1
        assertThat(d.tracks(host(1))).isFalse();
        assertThat(d.tracks(host(2))).isFalse();
        for (int i : new int[] {0, 3, 4, 5, 6, 7, 100}) {
            assertThat(d.tracks(host(i))).as("host %d", i).isTrue();
        }
    }

    @Test
    void whenEveryTrackedEndpointIsEjectedANewOneIsServedButNeverEjected() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().consecutiveErrors(1).build()),
                ticker, counters, ResilienceListener.NONE, 4);
        for (int i = 0; i < 4; i++) {
            d.onError(host(i), ErrorKind.LOCAL_ORIGIN);
        }

        EndpointState untracked = d.endpoint(host(50));
        d.onError(untracked, ErrorKind.LOCAL_ORIGIN);

        assertThat(d.size()).isEqualTo(4);
        assertThat(d.isEjected(untracked, ticker.nanoTime())).isFalse();
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(4);
    }

    @Test
    void idleEndpointsAreEvictedBySweepUnlessEjected() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.defaults()), ticker, counters,
                ResilienceListener.NONE);
        d.endpoint(host(1));                            // idle from t = 0
        ticker.advance(ofSeconds(40));
        for (int i = 0; i < 5; i++) {
            d.onError(host(2), ErrorKind.LOCAL_ORIGIN); // ejected from t = 40 s to 70 s
        }

        ticker.advance(ofSeconds(20));                  // t = 60 s = 6 intervals
        d.sweep(ticker.nanoTime());
        assertThat(d.tracks(host(1))).isFalse();
        assertThat(d.tracks(host(2))).isTrue();

        ticker.advance(ofSeconds(70));
        d.sweep(ticker.nanoTime());
        assertThat(d.size()).isZero();
    }

    @Test
    void anIdleEndpointOnProbationIsKeptUntilItsKIsBackToZero() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().consecutiveErrors(1)
                .interval(ofSeconds(10)).baseEjectionTime(ofSeconds(10)).maxEjectionTime(ofSeconds(1000)).build()),
                ticker, counters, ResilienceListener.NONE);
        EndpointState s = d.endpoint(host(2));
        for (int k = 1; k <= 8; k++) {
            d.onError(s, ErrorKind.LOCAL_ORIGIN);       // the k-th ejection, k x 10 s
            ticker.advance(ofSeconds(10L * k));
            assertThat(d.isEjected(s, ticker.nanoTime())).isFalse();
        }
        assertThat(s.ejections()).isEqualTo(8);

        ticker.advance(ofSeconds(60));                  // idle for 6 intervals, but k is still 2
        d.sweep(ticker.nanoTime());
        assertThat(d.tracks(host(2))).isTrue();
        assertThat(s.ejections()).isEqualTo(2);

        ticker.advance(ofSeconds(20));
        d.sweep(ticker.nanoTime());
        assertThat(d.tracks(host(2))).isFalse();
    }

    @Test
    void groupMembersAreNeverEvicted() {
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.defaults()), ticker, counters,
                ResilienceListener.NONE, 4);
        EndpointSelector sel = d.group(EndpointGroup.of("http://orders", "http://127.0.0.1:8081",
                "http://127.0.0.1:8082"));
        for (int i = 0; i < 100; i++) {
            d.endpoint(host(i));
        }
        ticker.advance(ofSeconds(3600));
        d.sweep(ticker.nanoTime());

        assertThat(d.size()).isEqualTo(2);
        assertThat(d.endpoint(sel.key(0))).isSameAs(sel.member(0));
        assertThat(d.endpoint(sel.key(1))).isSameAs(sel.member(1));
    }
}
