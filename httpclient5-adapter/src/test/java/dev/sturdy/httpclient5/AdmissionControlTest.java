package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.PoolOverflowException;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.pool.PoolStats;
import org.junit.jupiter.api.Test;

/** SPEC 5: pending-request and in-flight limits that fail fast, and permits that never leak. */
class AdmissionControlTest {

    private static final Seams NO_SLEEP = Seams.SYSTEM.withSleeper(nanos -> { });

    private static ResiliencePolicy pool(ConnectionPoolPolicy pool, Duration responseTimeout) {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2)).responseTimeout(responseTimeout).build())
                .connectionPool(pool)
                .build();
    }

    /** How a batch of calls ended: the 200s counted, the refusals in the order the calls were made. */
    private record Outcomes(int ok, List<PoolOverflowException> overflows) {
    }

    /**
     * Runs {@code calls} calls on threads of their own, released together once every thread is ready;
     * each call returns its status code or throws its refusal.
     */
    private static Outcomes together(int calls, IntFunction<Callable<Integer>> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            CountDownLatch ready = new CountDownLatch(calls);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Callable<Integer> c = call.apply(i);
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        return c.call();
                    } catch (PoolOverflowException e) {
                        return e;
                    }
                }));
            }
            assertThat(ready.await(5, TimeUnit.SECONDS)).as("every caller thread ready").isTrue();
            go.countDown();
            int ok = 0;
            List<PoolOverflowException> overflows = new ArrayList<>();
            for (Future<Object> f : results) {
                Object r = f.get(30, TimeUnit.SECONDS);
                if (r instanceof PoolOverflowException) {
                    overflows.add((PoolOverflowException) r);
                } else {
                    assertThat(r).isEqualTo(200);
                    ok++;
                }
            }
            return new Outcomes(ok, overflows);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pendingQueueFullFailsAtOnceWhileAdmittedCallsWait() throws Exception {
        ResiliencePolicy policy = pool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(2)
                .maxPendingWait(Duration.ofSeconds(5)).build(), Duration.ofSeconds(10));
        try (FaultServer server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(1)));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            List<Long> failedAfterNanos = new ArrayList<>();
            Outcomes outcomes = together(6, n -> () -> {
                if (n > 0) {
                    // the first call takes the only connection; the others find it busy
                    Thread.sleep(100);
                }
                long t0 = System.nanoTime();
                try {
                    return client.execute(new HttpGet(server.uri("/slow")), r -> r.getCode());
                } catch (PoolOverflowException e) {
                    synchronized (failedAfterNanos) {
                        failedAfterNanos.add(System.nanoTime() - t0);
                    }
                    throw e;
                }
            });
            List<PoolOverflowException> overflows = outcomes.overflows();
            assertThat(outcomes.ok()).as("1 in flight + 2 waiting are admitted").isEqualTo(3);
            assertThat(overflows).hasSize(3);
            assertThat(overflows.get(0).limit()).isEqualTo(PoolOverflowException.Limit.PENDING_REQUESTS);
            assertThat(overflows.get(0)).hasMessage(server.baseUrl()
                    + " refused: no connection free and 2 requests already waiting (http1MaxPendingRequests 2)");
            assertThat(overflows.get(0).getStackTrace()).isEmpty();
            assertThat(failedAfterNanos).allSatisfy(n -> assertThat(n).isLessThan(TimeUnit.MILLISECONDS.toNanos(200)));
            assertThat(server.requestCount()).isEqualTo(3);
            assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(3);
            assertThat(client.metrics().get(ResilienceCounter.CX_OVERFLOW)).isEqualTo(5);
            assertClean(client);
        }
    }

    @Test
    void callsArrivingTogetherNeverSlipPastThePendingLimit() throws Exception {
        // 12 calls released at the same instant against 2 connections and 3 places: 5 are admitted. A
        // check-then-lease admission let most of the burst past into HttpClient's own queue (10 to 12 of 12
        // admitted in trials). With the connections counted atomically, the one race left is a queued lease
        // reaching the pool's free connection before the call that counted it (which then waits in the
        // pool): at most one extra call per connection, so 5 to 7 here, and never more than 3 refusals short.
        ResiliencePolicy policy = pool(ConnectionPoolPolicy.builder().maxConnections(2).http1MaxPendingRequests(3)
                .maxPendingWait(Duration.ofSeconds(10)).build(), Duration.ofSeconds(20));
        try (FaultServer server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofMillis(1500)));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            Outcomes outcomes = together(12, n -> () -> client.execute(new HttpGet(server.uri("/burst")), r -> r.getCode()));
            int ok = outcomes.ok();
            assertThat(ok).as("2 connections + 3 waiting, and at most one extra per connection").isBetween(5, 7);
            assertThat(outcomes.overflows()).hasSize(12 - ok).allSatisfy(e -> assertThat(e).hasMessage(server.baseUrl()
                    + " refused: no connection free and 3 requests already waiting (http1MaxPendingRequests 3)"));
            assertThat(server.requestCount()).isEqualTo(ok);
            assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(12 - ok);
            assertClean(client);
        }
    }

    @Test
    void overflowIsNeverRetried() throws Exception {
        ResiliencePolicy policy = pool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(0).build(),
                Duration.ofSeconds(10)).toBuilder()
                .retry(HttpRetryPolicy.builder().maxRetries(3).retryOn(RetryOn.FIVE_XX, RetryOn.CONNECT_FAILURE, RetryOn.RESET)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
        try (FaultServer server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofMillis(800)));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            Thread holder = new Thread(() -> {
                try {
                    client.execute(new HttpGet(server.uri("/hold")), r -> r.getCode());
                } catch (IOException ignored) {
                    // not under test
                }
            });
            holder.start();
            server.awaitRequestCount(1, Duration.ofSeconds(5));
            assertThatThrownBy(() -> client.execute(new HttpGet(server.uri("/x")), r -> r.getCode()))
                    .isInstanceOf(PoolOverflowException.class)
                    .hasMessage(server.baseUrl() + " refused: no connection free and 0 requests already waiting"
                            + " (http1MaxPendingRequests 0)");
            holder.join(5000);
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
            assertThat(server.requestCount()).isEqualTo(1);
            assertClean(client);
        }
    }

    @Test
    void inFlightLimitRefusesTheNextCallAtOnce() throws Exception {
        ResiliencePolicy policy = pool(ConnectionPoolPolicy.builder().http2MaxRequests(2).build(), Duration.ofSeconds(10));
        try (FaultServer server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofMillis(800)));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            List<Thread> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    try {
                        client.execute(new HttpGet(server.uri("/hold")), r -> r.getCode());
                    } catch (IOException ignored) {
                        // not under test
                    }
                });
                t.start();
                holders.add(t);
            }
            server.awaitRequestCount(2, Duration.ofSeconds(5));
            assertThatThrownBy(() -> client.execute(new HttpGet(server.uri("/x")), r -> r.getCode()))
                    .isInstanceOfSatisfying(PoolOverflowException.class,
                            e -> assertThat(e.limit()).isEqualTo(PoolOverflowException.Limit.MAX_REQUESTS))
                    .hasMessage("GET " + server.baseUrl() + " refused: 2 requests already in flight (http2MaxRequests 2)");
            for (Thread t : holders) {
                t.join(5000);
            }
            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(1);
            assertClean(client);
        }
    }

    @Test
    void cancellingAQueuedCallEndsItAsAbortedAndGivesItsPlaceToTheNextCall() throws Exception {
        ResiliencePolicy policy = pool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(1)
                .maxPendingWait(Duration.ofSeconds(5)).build(), Duration.ofSeconds(10));
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try (FaultServer server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(1)));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            Future<Integer> holder = callers.submit(() -> client.execute(new HttpGet(server.uri("/hold")), r -> r.getCode()));
            server.awaitRequestCount(1, Duration.ofSeconds(5));
            HttpGet cancelledGet = new HttpGet(server.uri("/cancelled"));
            Future<Integer> cancelled = callers.submit(() -> client.execute(cancelledGet, r -> r.getCode()));
            awaitPendingRequests(client, 1);
            assertThatThrownBy(() -> client.execute(new HttpGet(server.uri("/refused")), r -> r.getCode()))
                    .isInstanceOf(PoolOverflowException.class)
                    .hasMessage(server.baseUrl()
                            + " refused: no connection free and 1 requests already waiting (http1MaxPendingRequests 1)");

            assertThat(cancelledGet.cancel()).isTrue();
            // not cancelled, the call would have waited for the holder's connection and answered 200
            assertThatThrownBy(() -> cancelled.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InterruptedIOException.class).hasMessage("Request aborted");
            assertThat(client.pendingRequests()).as("the place is given back").isZero();
            Future<Integer> admitted = callers.submit(() -> client.execute(new HttpGet(server.uri("/admitted")), r -> r.getCode()));
            awaitPendingRequests(client, 1);

            assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(admitted.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(server.requests()).extracting(r -> r.target()).containsExactly("/hold", "/admitted");
            assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(1);
            assertClean(client);
        } finally {
            callers.shutdownNow();
        }
    }

    private static void awaitPendingRequests(SturdyHttpClient client, int expected) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.pendingRequests() != expected && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(client.pendingRequests()).as("requests waiting for a connection").isEqualTo(expected);
    }

    @Test
    void maxPendingWaitExpiryIsATimeoutErrorNotAHang() throws Exception {
        ResiliencePolicy policy = pool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(5)
                .maxPendingWait(Duration.ofMillis(300)).build(), Duration.ofSeconds(10));
        try (FaultServer server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(2)));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            Thread holder = new Thread(() -> {
                try {
                    client.execute(new HttpGet(server.uri("/hold")), r -> r.getCode());
                } catch (IOException ignored) {
                    // not under test
                }
            });
            holder.start();
            server.awaitRequestCount(1, Duration.ofSeconds(5));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> client.execute(new HttpGet(server.uri("/x")), r -> r.getCode()))
                    .isInstanceOf(ConnectionRequestTimeoutException.class)
                    .hasMessage("waited PT0.3S for a connection to " + server.baseUrl()
                            + " (maxPendingWait PT0.3S, 1 waiting)");
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(1500));
            assertThat(client.pendingRequests()).isZero();
            holder.join(5000);
            assertThat(server.requestCount()).isEqualTo(1);
            assertClean(client);
        }
    }

    @Test
    void permitsAreAllReturnedAfterTenThousandMixedOperations() throws Exception {
        long seed = Long.getLong("sturdy.seed", System.nanoTime());
        System.out.println("permitsAreAllReturnedAfterTenThousandMixedOperations seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofMillis(400))
                        .perTryTimeout(Duration.ofMillis(150)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(4).http1MaxPendingRequests(6)
                        .http2MaxRequests(12).maxPendingWait(Duration.ofMillis(100)).build())
                .build();
        // faults drawn once, served in order: the server's behaviour does not depend on thread timing
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            int p = random.nextInt(100);
            faults.add(p < 60 ? Fault.ok("fine")
                    : p < 70 ? Fault.respond(503)
                    : p < 77 ? Fault.resetAfterRequest()
                    : p < 82 ? Fault.closeWithoutResponse()
                    : p < 88 ? Fault.ok("slow").delayedBy(Duration.ofMillis(200)) // per-try timeout
                    : p < 94 ? Fault.truncatedBody(100, 10)
                    : Fault.ok("late").delayedBy(Duration.ofMillis(20)));
        }
        try (FaultServer server = FaultServer.start(Fault.ok("fine"));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP).build()) {
            server.enqueue(faults.toArray(new Fault[0]));
            ExecutorService threads = Executors.newFixedThreadPool(8);
            AtomicInteger cancelled = new AtomicInteger();
            AtomicInteger outcomes = new AtomicInteger();
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(300), () -> { // a hang detector: ~7 s on a quiet machine
                    List<Future<?>> futures = new ArrayList<>();
                    for (int t = 0; t < 8; t++) {
                        final long threadSeed = random.nextLong();
                        futures.add(threads.submit(() -> {
                            SplittableRandom r = new SplittableRandom(threadSeed);
                            for (int i = 0; i < 1250; i++) {
                                final HttpGet get = new HttpGet(server.uri("/op/" + i));
                                boolean cancel = r.nextInt(20) == 0;
                                if (cancel) {
                                    cancelled.incrementAndGet();
                                    Thread canceller = new Thread(() -> {
                                        try {
                                            Thread.sleep(r.nextInt(5));
                                        } catch (InterruptedException ignored) {
                                            // cancel at once then
                                        }
                                        get.cancel();
                                    });
                                    canceller.start();
                                }
                                try {
                                    if (i % 3 == 0) {
                                        HttpPost post = new HttpPost(server.uri("/op/" + i));
                                        post.setEntity(new StringEntity("body-" + i));
                                        client.execute(post, resp -> EntityUtils.toString(resp.getEntity()));
                                    } else {
                                        client.execute(get, resp -> EntityUtils.toString(resp.getEntity()));
                                    }
                                } catch (IOException expected) {
                                    // every failure is typed; what matters here is what is left behind
                                }
                                outcomes.incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : futures) {
                        f.get();
                    }
                });
            } finally {
                threads.shutdownNow();
            }
            assertThat(outcomes.get()).isEqualTo(10_000);
            assertThat(cancelled.get()).as("seed " + seed).isPositive();
            assertClean(client);
        }
    }

    /** Every permit is back: pending queue, in-flight calls, retry budget, leased connections. */
    static void assertClean(SturdyHttpClient client) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        PoolStats stats = client.poolStats();
        while (System.nanoTime() < end && (stats.getLeased() != 0 || stats.getPending() != 0
                || client.pendingRequests() != 0 || client.leasedConnections() != 0 || client.callsInFlight() != 0
                || client.retriesInFlight() != 0)) {
            Thread.sleep(10);
            stats = client.poolStats();
        }
        assertThat(stats.getLeased()).as("leased connections, %s", stats).isZero();
        assertThat(stats.getPending()).as("pending leases, %s", stats).isZero();
        assertThat(client.pendingRequests()).as("sturdy pending requests").isZero();
        assertThat(client.leasedConnections()).as("connections sturdy counts as leased").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retry budget slots").isZero();
    }
}
