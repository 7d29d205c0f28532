package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.DeadlineExceededException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.PoolOverflowException;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.internal.SturdyAsyncConnectionManager;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.internal.runtime.DeadlineWatchdog;
import dev.sturdy.internal.runtime.Ticker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.nio.AsyncRequestConsumer;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestConsumer;
import org.apache.hc.core5.http.nio.support.BasicResponseProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.IOReactorShutdownException;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.apache.hc.core5.util.TimeValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 5 on the async client: a pending queue of {@code http1MaxPendingRequests} that refuses one
 * more at once, sturdy's own {@code maxPendingWait} (on time, with the classic client's message),
 * {@code http2MaxRequests} over real HTTP/2, and places and permits that are always given back,
 * whatever ends the wait (connection, timeout, cancel, deadline, client close).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AsyncAdmissionControlTest {

    /** Retries everything retriable: admission failures must still never be retried. */
    private static final HttpRetryPolicy RETRY_EVERYTHING = HttpRetryPolicy.builder().maxRetries(3)
            .retryOn(RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(2))
            .build();
    private static final long FAST_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private FaultServer server;
    private HttpAsyncServer h2Server;
    private ScheduledExecutorService h2Timer;
    private SturdyHttpAsyncClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (h2Server != null) {
            h2Server.close(CloseMode.IMMEDIATE);
        }
        if (h2Timer != null) {
            h2Timer.shutdownNow();
        }
    }

    private static ResiliencePolicy policy(ConnectionPoolPolicy pool, Duration responseTimeout) {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2)).responseTimeout(responseTimeout)
                        .build())
                .retry(RETRY_EVERYTHING)
                .connectionPool(pool)
                .build();
    }

    private SturdyHttpAsyncClient start(ResiliencePolicy policy, Seams seams) {
        client = SturdyHttpAsyncClients.custom(policy).seams(seams).build();
        client.start();
        return client;
    }

    private SimpleHttpRequest get(String path) {
        return SimpleRequestBuilder.get(server.uri(path)).build();
    }

    @Test
    void pendingQueueFullFailsAtOnceWhileQueuedCallsWaitForTheConnection() throws Exception {
        server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(1)));
        start(policy(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(2)
                .maxPendingWait(Duration.ofSeconds(5)).build(), Duration.ofSeconds(10)), Seams.SYSTEM);

        List<Future<SimpleHttpResponse>> calls = new ArrayList<>();
        List<Long> failedAfterNanos = new ArrayList<>();
        calls.add(client.execute(get("/slow/0"), null));
        server.awaitRequestCount(1, Duration.ofSeconds(5)); // the first call holds the only connection
        for (int i = 1; i < 6; i++) {
            calls.add(client.execute(get("/slow/" + i), new FailureTimer(failedAfterNanos)));
        }
        assertThat(AsyncPoolProbe.pendingRequests(client)).as("calls waiting in sturdy's queue").isEqualTo(2);

        int ok = 0;
        List<PoolOverflowException> overflows = new ArrayList<>();
        for (Future<SimpleHttpResponse> call : calls) {
            try {
                assertThat(call.get(20, TimeUnit.SECONDS).getCode()).isEqualTo(200);
                ok++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isExactlyInstanceOf(PoolOverflowException.class);
                overflows.add((PoolOverflowException) e.getCause());
            }
        }
        assertThat(ok).as("1 in flight + 2 waiting are admitted").isEqualTo(3);
        assertThat(overflows).hasSize(3);
        assertThat(overflows).allSatisfy(e -> {
            assertThat(e.limit()).isEqualTo(PoolOverflowException.Limit.PENDING_REQUESTS);
            assertThat(e).hasMessage(server.baseUrl()
                    + " refused: no connection free and 2 requests already waiting (http1MaxPendingRequests 2)");
            assertThat(e.getStackTrace()).isEmpty();
        });
        assertThat(failedAfterNanos).hasSize(3).allSatisfy(n -> assertThat(n).isLessThan(FAST_NANOS));
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(3);
        assertThat(client.metrics().get(ResilienceCounter.CX_OVERFLOW)).as("2 queued + 3 refused").isEqualTo(5);
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
        assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(6);
        AsyncPoolProbe.assertClean(client);
    }

    @Test
    void maxPendingWaitExpiryFailsOnTimeWithTheClassicMessage() throws Exception {
        server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(2)));
        start(policy(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(5)
                .maxPendingWait(Duration.ofMillis(300)).build(), Duration.ofSeconds(10)), Seams.SYSTEM);
        Future<SimpleHttpResponse> holder = client.execute(get("/hold"), null);
        server.awaitRequestCount(1, Duration.ofSeconds(5));

        long t0 = System.nanoTime();
        Future<SimpleHttpResponse> queued = client.execute(get("/x"), null);
        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(ConnectionRequestTimeoutException.class)
                .hasMessage("waited PT0.3S for a connection to " + server.baseUrl() + " (maxPendingWait PT0.3S, 1 waiting)");
        long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
        // HttpClient's own pool timeout would only fire when the holder gives the connection back (2 s)
        assertThat(elapsedMillis).as("elapsed ms").isBetween(290L, 1800L);
        assertThat(AsyncPoolProbe.pendingRequests(client)).isZero();
        assertThat(holder.isDone()).as("the holder still has the connection").isFalse();

        assertThat(holder.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        assertThat(server.requestCount()).as("the timed-out call never reached the server").isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.CX_OVERFLOW)).isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isZero();
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).as("a lease timeout is never retried").isZero();
        AsyncPoolProbe.assertClean(client);
    }

    @Test
    void cancellingAQueuedCallGivesItsPlaceToTheNextCall() throws Exception {
        server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(1)));
        start(policy(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(1)
                .maxPendingWait(Duration.ofSeconds(5)).build(), Duration.ofSeconds(10)), Seams.SYSTEM);
        Future<SimpleHttpResponse> holder = client.execute(get("/hold"), null);
        server.awaitRequestCount(1, Duration.ofSeconds(5));

        Future<SimpleHttpResponse> cancelled = client.execute(get("/cancelled"), null);
        assertThat(AsyncPoolProbe.pendingRequests(client)).isEqualTo(1);
        Future<SimpleHttpResponse> refused = client.execute(get("/refused"), null);
        assertThatThrownBy(() -> refused.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(PoolOverflowException.class);

        assertThat(cancelled.cancel(true)).isTrue();
        assertThat(AsyncPoolProbe.pendingRequests(client)).as("the place is given back at once").isZero();
        Future<SimpleHttpResponse> admitted = client.execute(get("/admitted"), null);
        assertThat(AsyncPoolProbe.pendingRequests(client)).isEqualTo(1);

        assertThat(holder.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        assertThat(admitted.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        assertThatThrownBy(() -> cancelled.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(server.requests()).extracting(r -> r.target()).containsExactly("/hold", "/admitted");
        assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.CX_OVERFLOW)).isEqualTo(3);
        AsyncPoolProbe.assertClean(client);
    }

    /**
     * A call counted a connection (sturdy's count had room) whose lease still waits in the pool's queue:
     * the pool's own limit is lowered under sturdy, which stands in for the burst race described at
     * {@code PoolControl#reserve}. The call's 300 ms deadline ends the wait, not the 5 s
     * {@code maxPendingWait} (the classic twin is {@code ClassicLeaseEdgeTest}).
     */
    @Test
    void theDeadlineEndsACountedLeaseThatStillWaitsInThePoolsQueue() throws Exception {
        server = FaultServer.start();
        start(policy(ConnectionPoolPolicy.builder().maxConnections(2).maxPendingWait(Duration.ofSeconds(5)).build(),
                Duration.ofMillis(300)), Seams.SYSTEM);
        final SturdyAsyncConnectionManager manager = AsyncPoolProbe.manager(client);
        final AsyncConnectionEndpoint held = manager.lease("held", new HttpRoute(server.httpHost()), null,
                org.apache.hc.core5.util.Timeout.ofSeconds(5), null).get(5, TimeUnit.SECONDS);
        manager.pool().setMaxTotal(1); // sturdy still counts room for one more
        assertThat(manager.pool().getTotalStats().getAvailable()).isZero();

        final long t0 = System.nanoTime();
        final Future<SimpleHttpResponse> stuck = client.execute(get("/stuck"), null);
        assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(DeadlineExceededException.class)
                .hasMessage("GET " + server.baseUrl() + " exceeded responseTimeout PT0.3S after 1 attempt");
        final long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // a deadline fires at most a watchdog tick or two late; the pool's wait would have been 5 s
        assertThat(tookMillis).as("ms until the call ended").isLessThan(2_500);

        manager.release(held, null, TimeValue.ZERO_MILLISECONDS);
        assertThat(server.requestCount()).isZero();
        AsyncPoolProbe.assertClean(client);
    }

    @Test
    void overallDeadlineShorterThanThePendingWaitEndsTheQueuedCall() throws Exception {
        // the holder's response takes 2 s, a byte every 100 ms (the socket timeout is the 400 ms response timeout)
        server = FaultServer.start(Fault.slowDrip("01234567890123456789", Duration.ofMillis(100)));
        // the holder starts with the clock 10 s ahead, so its own 400 ms deadline is far away
        SkewedTicker ticker = new SkewedTicker();
        start(policy(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(5)
                .maxPendingWait(Duration.ofSeconds(5)).build(), Duration.ofMillis(400)),
                new Seams(ticker, n -> { }, () -> 0.5, DeadlineWatchdog.DEFAULT_TICK_NANOS));
        ticker.skew(Duration.ofSeconds(10));
        Future<SimpleHttpResponse> holder = client.execute(get("/hold"), null);
        server.awaitRequestCount(1, Duration.ofSeconds(5));
        ticker.skew(Duration.ZERO);

        long t0 = System.nanoTime();
        Future<SimpleHttpResponse> queued = client.execute(get("/x"), null);
        assertThat(AsyncPoolProbe.pendingRequests(client)).isEqualTo(1);
        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(DeadlineExceededException.class)
                .hasMessage("GET " + server.baseUrl() + " exceeded responseTimeout PT0.4S after 1 attempt");
        long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
        // a deadline that only fired once the holder gave the connection back would end the call after 2 s
        assertThat(elapsedMillis).as("elapsed ms").isBetween(390L, 1800L);
        // the caller's future fails first; the cancelled lease gives its place back just after, on the
        // same watchdog tick (httpcore cancels a future's dependency after running its callback)
        EjectionFixtures.await(() -> AsyncPoolProbe.pendingRequests(client) == 0, Duration.ofMillis(500),
                () -> "the deadline gave the place back: " + AsyncPoolProbe.pendingRequests(client) + " pending");

        assertThat(holder.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
        AsyncPoolProbe.assertClean(client);
    }

    @Test
    void closingTheClientEndsQueuedCallsAndGivesTheirPlacesBack() throws Exception {
        server = FaultServer.start(Fault.ok("slow").delayedBy(Duration.ofSeconds(2)));
        start(policy(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(5)
                .maxPendingWait(Duration.ofSeconds(10)).build(), Duration.ofSeconds(20)), Seams.SYSTEM);
        client.execute(get("/hold"), null);
        server.awaitRequestCount(1, Duration.ofSeconds(5));
        List<Future<SimpleHttpResponse>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(client.execute(get("/q/" + i), null));
        }
        assertThat(AsyncPoolProbe.pendingRequests(client)).isEqualTo(3);

        long t0 = System.nanoTime();
        client.close(CloseMode.IMMEDIATE);
        // HttpClient's pool forgets its waiting leases when it closes: sturdy fails them (unless the
        // holder's connection, closed with the reactor, reached one of them first: it then fails to use it)
        for (Future<SimpleHttpResponse> f : queued) {
            assertThatThrownBy(() -> f.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().satisfiesAnyOf(
                            e -> assertThat(e).isExactlyInstanceOf(CancellationException.class)
                                    .hasMessage("Request execution cancelled: client closed"),
                            e -> assertThat(e).isInstanceOf(IOReactorShutdownException.class));
        }
        // the queued calls would otherwise wait out their 10 s pending wait
        assertThat((System.nanoTime() - t0) / 1_000_000).as("elapsed ms").isLessThan(3000L);
        assertThat(AsyncPoolProbe.pendingRequests(client)).isZero();
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void http2MaxRequestsRefusesStreamsBeyondTheLimitAtOnce() throws Exception {
        AtomicInteger streams = new AtomicInteger();
        int port = startH2Server(streams, Duration.ofSeconds(1));
        client = SturdyHttpAsyncClients.custom(ResiliencePolicy.builder()
                        .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(10)).build())
                        .retry(RETRY_EVERYTHING)
                        .connectionPool(ConnectionPoolPolicy.builder().http2MaxRequests(3).build())
                        .build())
                .connectionManager(pool -> pool
                        .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build())
                        .setMessageMultiplexing(true))
                .build();
        client.start();

        List<Long> failedAfterNanos = new ArrayList<>();
        List<Future<SimpleHttpResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(client.execute(SimpleRequestBuilder.get("http://127.0.0.1:" + port + "/slow/" + i).build(),
                    new FailureTimer(failedAfterNanos)));
        }
        List<SimpleHttpResponse> responses = new ArrayList<>();
        List<PoolOverflowException> overflows = new ArrayList<>();
        for (Future<SimpleHttpResponse> call : calls) {
            try {
                responses.add(call.get(10, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isExactlyInstanceOf(PoolOverflowException.class);
                overflows.add((PoolOverflowException) e.getCause());
            }
        }
        assertThat(responses).hasSize(3).allSatisfy(r -> {
            assertThat(r.getCode()).isEqualTo(200);
            assertThat(r.getVersion().getMajor()).as("HTTP major version").isEqualTo(2);
        });
        assertThat(overflows).hasSize(3).allSatisfy(e -> {
            assertThat(e.limit()).isEqualTo(PoolOverflowException.Limit.MAX_REQUESTS);
            assertThat(e).hasMessage("GET http://127.0.0.1:" + port
                    + " refused: 3 requests already in flight (http2MaxRequests 3)");
        });
        assertThat(failedAfterNanos).hasSize(3).allSatisfy(n -> assertThat(n).isLessThan(FAST_NANOS));
        assertThat(streams.get()).as("streams the server saw").isEqualTo(3);
        assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(3);
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
        AsyncPoolProbe.assertClean(client);
    }

    @Test
    void everyPlaceAndPermitIsBackAfterTwoThousandMixedOperations() throws Exception {
        long seed = Long.getLong("sturdy.seed", System.nanoTime());
        System.out.println("everyPlaceAndPermitIsBackAfterTwoThousandMixedOperations seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofMillis(300))
                        .perTryTimeout(Duration.ofMillis(100)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(2).retryOn(RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(4).http1MaxPendingRequests(8)
                        .http2MaxRequests(14).maxPendingWait(Duration.ofMillis(60)).build())
                .build();
        // faults drawn once, served in order: the server's behaviour does not depend on thread timing
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            int p = random.nextInt(100);
            faults.add(p < 60 ? Fault.ok("fine")
                    : p < 68 ? Fault.respond(503)
                    : p < 74 ? Fault.resetAfterRequest()
                    : p < 78 ? Fault.closeWithoutResponse()
                    : p < 86 ? Fault.ok("slow").delayedBy(Duration.ofMillis(130)) // per-try timeout
                    : p < 92 ? Fault.truncatedBody(100, 10)
                    : Fault.ok("late").delayedBy(Duration.ofMillis(20)));
        }
        server = FaultServer.start(Fault.ok("fine"));
        server.enqueue(faults.toArray(new Fault[0]));
        start(policy, Seams.SYSTEM);

        ExecutorService threads = Executors.newFixedThreadPool(8);
        ScheduledExecutorService cancellers = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger outcomes = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger overflowsSeen = new AtomicInteger();
        AtomicInteger leaseTimeoutsSeen = new AtomicInteger();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> { // a hang detector: a few seconds when all is well
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    final long threadSeed = random.nextLong();
                    workers.add(threads.submit(() -> {
                        SplittableRandom r = new SplittableRandom(threadSeed);
                        for (int i = 0; i < 250; ) {
                            // bursts of 1 to 3 calls: up to 24 at once against 4 connections, 8 places, 14 in flight
                            int burst = Math.min(1 + r.nextInt(3), 250 - i);
                            List<Future<SimpleHttpResponse>> inFlight = new ArrayList<>();
                            for (int b = 0; b < burst; b++, i++) {
                                SimpleHttpRequest request = i % 3 == 0
                                        ? SimpleRequestBuilder.post(server.uri("/op/" + i))
                                                .setBody("body-" + i, ContentType.TEXT_PLAIN).build()
                                        : get("/op/" + i);
                                Future<SimpleHttpResponse> f = client.execute(request, null);
                                inFlight.add(f);
                                if (r.nextInt(8) == 0) {
                                    cancelled.incrementAndGet();
                                    cancellers.schedule(() -> f.cancel(true), r.nextInt(40), TimeUnit.MILLISECONDS);
                                }
                            }
                            for (Future<SimpleHttpResponse> f : inFlight) {
                                try {
                                    f.get(5, TimeUnit.SECONDS);
                                } catch (ExecutionException e) {
                                    if (e.getCause() instanceof PoolOverflowException) {
                                        overflowsSeen.incrementAndGet();
                                    } else if (e.getCause() instanceof ConnectionRequestTimeoutException) {
                                        leaseTimeoutsSeen.incrementAndGet();
                                    }
                                } catch (CancellationException expected) {
                                    // cancelled by the test
                                }
                                outcomes.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get();
                }
            });
        } finally {
            threads.shutdownNow();
            cancellers.shutdownNow();
        }
        System.out.println("outcomes " + outcomes + ", cancelled " + cancelled + ", overflows " + overflowsSeen
                + ", lease timeouts " + leaseTimeoutsSeen + ", " + client.metrics());
        assertThat(outcomes.get()).isEqualTo(2_000);
        assertThat(cancelled.get()).as("seed " + seed).isPositive();
        // every refusal is counted once and never retried; a refused retry, or a cancel racing the
        // refusal, may end its call another way
        assertThat(client.metrics().get(ResilienceCounter.RQ_PENDING_OVERFLOW)).as("seed " + seed)
                .isGreaterThanOrEqualTo(overflowsSeen.get());
        assertThat(client.metrics().get(ResilienceCounter.CX_OVERFLOW)).as("seed " + seed)
                .isGreaterThanOrEqualTo(leaseTimeoutsSeen.get());
        AsyncPoolProbe.assertClean(client);
    }

    // ---------------------------------------------------------------- fixtures

    /** Records how long after its submission a call failed (the callback runs when the future fails). */
    private static final class FailureTimer implements FutureCallback<SimpleHttpResponse> {

        private final long startNanos = System.nanoTime();
        private final List<Long> failedAfterNanos;

        FailureTimer(List<Long> failedAfterNanos) {
            this.failedAfterNanos = failedAfterNanos;
        }

        @Override
        public void completed(SimpleHttpResponse result) {
        }

        @Override
        public void failed(Exception ex) {
            synchronized (failedAfterNanos) {
                failedAfterNanos.add(System.nanoTime() - startNanos);
            }
        }

        @Override
        public void cancelled() {
        }
    }

    /** The system clock, shifted by an amount the test sets: calls started while shifted get later deadlines. */
    private static final class SkewedTicker implements Ticker {

        private final AtomicLong skewNanos = new AtomicLong();

        void skew(Duration d) {
            skewNanos.set(d.toNanos());
        }

        @Override
        public long nanoTime() {
            return System.nanoTime() + skewNanos.get();
        }

        @Override
        public long epochMillis() {
            return System.currentTimeMillis() + skewNanos.get() / 1_000_000;
        }
    }

    /**
     * An HTTP/2 cleartext (prior knowledge) server that counts streams and answers each after {@code delay}.
     *
     * @return its port
     */
    private int startH2Server(AtomicInteger streams, Duration delay) throws Exception {
        h2Timer = Executors.newSingleThreadScheduledExecutor();
        h2Server = H2ServerBootstrap.bootstrap()
                .setCanonicalHostName("127.0.0.1") // else a request to 127.0.0.1 is answered 421 Misdirected Request
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
                .setIOReactorConfig(IOReactorConfig.custom().setSelectInterval(TimeValue.ofMilliseconds(50)).build())
                .register("*", new AsyncServerRequestHandler<Message<HttpRequest, Void>>() {

                    @Override
                    public AsyncRequestConsumer<Message<HttpRequest, Void>> prepare(
                            HttpRequest request, org.apache.hc.core5.http.EntityDetails entityDetails,
                            HttpContext context) {
                        return new BasicRequestConsumer<>(entityDetails == null ? null : new DiscardingEntityConsumer<>());
                    }

                    @Override
                    public void handle(Message<HttpRequest, Void> message, ResponseTrigger trigger, HttpContext context) {
                        streams.incrementAndGet();
                        h2Timer.schedule(() -> {
                            try {
                                trigger.submitResponse(new BasicResponseProducer(200, "ok", ContentType.TEXT_PLAIN),
                                        context);
                            } catch (Exception ignored) {
                                // the client went away
                            }
                        }, delay.toMillis(), TimeUnit.MILLISECONDS);
                    }
                })
                .create();
        h2Server.start();
        ListenerEndpoint endpoint = h2Server.listen(new InetSocketAddress("127.0.0.1", 0), URIScheme.HTTP).get();
        return ((InetSocketAddress) endpoint.getAddress()).getPort();
    }
}
