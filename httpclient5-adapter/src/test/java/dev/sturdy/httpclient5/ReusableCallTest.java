package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.internal.runtime.RandomSource;
import dev.sturdy.internal.runtime.Sleeper;
import dev.sturdy.internal.runtime.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

/**
 * The classic client re-arms one call object per thread instead of allocating one per call. These
 * tests pin down what that must not change: a call made inside another call's response handler keeps
 * its own deadline and leaves the outer one armed, a call after a timed-out one starts clean, two
 * clients used in turn on one thread keep their own deadlines, and a thread that stayed idle long
 * enough for the watchdog to forget its call still gets a deadline on its next call.
 */
class ReusableCallTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    /** How late a call may end after its deadline: watchdog tick plus scheduling noise. */
    private static final long LATE_MILLIS = 700;
    private static final Duration TEST_BOUND = Duration.ofSeconds(20);

    private static ResiliencePolicy policy() {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(1)).responseTimeout(DEADLINE).build())
                .retry(HttpRetryPolicy.builder().maxRetries(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
    }

    /** A body of 50 bytes, one every 200 ms: 10 s in all, never a read timeout. */
    private static FaultServer drip() {
        return FaultServer.start(Fault.slowDrip("b".repeat(50), Duration.ofMillis(200)));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static String get(SturdyHttpClient client, FaultServer server) throws IOException {
        return client.execute(new HttpGet(server.uri("/")), r -> EntityUtils.toString(r.getEntity()));
    }

    private static void assertTimesOutAtTheDeadline(SturdyHttpClient client, FaultServer slow) {
        final long start = System.nanoTime();
        assertThrows(DeadlineExceededException.class, () -> get(client, slow));
        assertThat(millisSince(start)).as("elapsed ms")
                .isBetween(DEADLINE.toMillis(), DEADLINE.toMillis() + LATE_MILLIS);
    }

    private static void assertPoolClean(SturdyHttpClient client) {
        assertThat(client.poolStats().getLeased()).as("leased connections").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retries in flight").isZero();
    }

    @Test
    void aCallMadeInsideAResponseHandlerDoesNotDisarmTheOuterCallsDeadline() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer slow = drip();
                 FaultServer fast = FaultServer.start();
                 SturdyHttpClient client = SturdyHttpClients.custom(policy()).build()) {
                final String[] inner = new String[1];
                final long start = System.nanoTime();
                final DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.execute(new HttpGet(slow.uri("/outer")), response -> {
                            // a whole call of its own on the same thread, while the outer call is open
                            inner[0] = get(client, fast);
                            return EntityUtils.toString(response.getEntity()); // the trickling body
                        }));
                final long elapsed = millisSince(start);

                assertThat(inner[0]).as("the inner call's body").isEmpty();
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(elapsed).as("elapsed ms (the body alone takes 10 s)")
                        .isBetween(DEADLINE.toMillis(), DEADLINE.toMillis() + LATE_MILLIS);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(2);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
                assertPoolClean(client);

                // the thread's calls are usable again afterwards, with and without a deadline firing
                assertThat(get(client, fast)).isEmpty();
                assertTimesOutAtTheDeadline(client, slow);
                assertThat(get(client, fast)).isEmpty();
                assertPoolClean(client);
            }
        });
    }

    @Test
    void anInnerCallTimesOutOnItsOwnDeadlineAndTheOuterCallCompletes() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer slow = drip();
                 FaultServer fast = FaultServer.start();
                 SturdyHttpClient client = SturdyHttpClients.custom(policy()).build()) {
                final String body = client.execute(new HttpGet(fast.uri("/outer")), response -> {
                    assertTimesOutAtTheDeadline(client, slow);
                    return EntityUtils.toString(response.getEntity());
                });

                assertThat(body).isEmpty();
                // the outer call's own deadline passed too while the inner one waited (both watched: 2); its
                // empty body was already complete, so it still returns
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(2);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void aCallAfterATimedOutCallOnTheSameThreadStartsClean() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer slow = drip();
                 FaultServer fast = FaultServer.start();
                 SturdyHttpClient client = SturdyHttpClients.custom(policy()).build()) {
                assertThat(get(client, fast)).isEmpty();
                assertTimesOutAtTheDeadline(client, slow);
                for (int i = 0; i < 20; i++) {
                    assertThat(get(client, fast)).isEmpty();
                }
                assertTimesOutAtTheDeadline(client, slow);

                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(2);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
                assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(23);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void twoClientsUsedInTurnOnOneThreadKeepTheirOwnDeadlines() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer slow = drip();
                 FaultServer fast = FaultServer.start();
                 SturdyHttpClient a = SturdyHttpClients.custom(policy()).build();
                 SturdyHttpClient b = SturdyHttpClients.custom(policy()).build()) {
                assertThat(get(a, fast)).isEmpty();
                assertTimesOutAtTheDeadline(b, slow);
                assertThat(get(a, fast)).isEmpty();
                assertTimesOutAtTheDeadline(a, slow);
                assertThat(get(b, fast)).isEmpty();

                assertThat(a.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
                assertThat(b.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
                assertPoolClean(a);
                assertPoolClean(b);
            }
        });
    }

    @Test
    void aThreadIdleLongEnoughForTheWatchdogToForgetItsCallStillGetsADeadline() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            // a 1 ms tick: the watchdog forgets an idle thread's call after about 200 ms
            final Seams seams = new Seams(Ticker.SYSTEM, Sleeper.SYSTEM,
                    RandomSource.SYSTEM, TimeUnit.MILLISECONDS.toNanos(1));
            try (FaultServer slow = drip();
                 FaultServer fast = FaultServer.start();
                 SturdyHttpClient client = SturdyHttpClients.custom(policy()).seams(seams).build()) {
                for (int round = 0; round < 3; round++) {
                    assertThat(get(client, fast)).isEmpty();
                    Thread.sleep(800); // idle: the thread's call is forgotten by the watchdog
                    assertTimesOutAtTheDeadline(client, slow);
                    Thread.sleep(800);
                }
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(3);
                assertPoolClean(client);
            }
        });
    }
}
