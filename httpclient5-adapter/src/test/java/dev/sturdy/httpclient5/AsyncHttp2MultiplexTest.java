package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.reactor.IOSessionListener;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streams of one HTTP/2 connection with HttpClient's (experimental) message multiplexing turned on: a
 * deadline ends its own call on time while the other streams on the connection complete; and what a
 * cancelled stream costs (see {@link #assertSharedConnectionClosedAndPoolClean()}).
 *
 * <p>How the streams come to share a connection: with {@code setMessageMultiplexing(true)} HttpClient
 * 5.6.5 shares a connection it leased from the pool that already speaks HTTP/2, never one it is still
 * opening. So each test first makes one call (which opens the connection and returns it to the pool),
 * then starts the concurrent streams; the server counts its connections to prove they shared one.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AsyncHttp2MultiplexTest {

    private HttpAsyncServer server;
    private int port;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger slowStreams = new AtomicInteger();
    private final AtomicInteger slowStreamsEnded = new AtomicInteger();
    private final AtomicInteger fastStreams = new AtomicInteger();
    private SturdyHttpAsyncClient client;

    @BeforeEach
    void startServer() throws Exception {
        server = H2ServerBootstrap.bootstrap()
                .setCanonicalHostName("127.0.0.1")
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
                .setIOSessionListener(new ConnectionCounter())
                .register("*", this::newStreamHandler)
                .create();
        server.start();
        ListenerEndpoint endpoint = server.listen(new InetSocketAddress("127.0.0.1", 0), URIScheme.HTTP).get();
        port = ((InetSocketAddress) endpoint.getAddress()).getPort();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close(CloseMode.IMMEDIATE);
    }

    private void start(Duration responseTimeout) throws Exception {
        client = SturdyHttpAsyncClients.custom(ResiliencePolicy.builder()
                        .timeouts(TimeoutPolicy.builder().responseTimeout(responseTimeout).build())
                        .build())
                .connectionManager(pool -> pool
                        .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build())
                        .setMessageMultiplexing(true))
                .build();
        client.start();
        // opens the connection and returns it to the pool, from where it is shared
        assertThat(fast().get(5, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        assertThat(connections.get()).isEqualTo(1);
        // the response completes the call a moment before the connection is back in the pool
        await(() -> client.poolStats().getLeased() == 0 && client.poolStats().getAvailable() == 1,
                "the connection is back in the pool: " + client.poolStats());
    }

    private Future<SimpleHttpResponse> fast() {
        return client.execute(SimpleRequestBuilder.get("http://127.0.0.1:" + port + "/fast").build(), null);
    }

    private Future<SimpleHttpResponse> slow() {
        return client.execute(SimpleRequestBuilder.get("http://127.0.0.1:" + port + "/slow").build(), null);
    }

    @Test
    void aDeadlineEndsItsCallOnTimeWhileOtherStreamsOnTheConnectionComplete() throws Exception {
        start(Duration.ofSeconds(2)); // generous: the first call of a client on a loaded machine is slow
        final long begin = System.nanoTime();
        final Future<SimpleHttpResponse> silent = slow();
        await(() -> slowStreams.get() == 1, "the slow stream reached the server");
        final List<Future<SimpleHttpResponse>> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            others.add(fast());
        }
        for (Future<SimpleHttpResponse> f : others) {
            assertThat(f.get(3, TimeUnit.SECONDS).getCode()).isEqualTo(200);
        }
        assertThat(connections.get()).as("the five streams shared the slow stream's connection").isEqualTo(1);
        assertThat(silent.isDone()).as("the silent stream is still open while the others completed").isFalse();

        assertThatThrownBy(() -> silent.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(DeadlineExceededException.class)
                .hasMessage("GET http://127.0.0.1:" + port + " exceeded responseTimeout PT2S after 1 attempt");
        assertThat((System.nanoTime() - begin) / 1_000_000).as("elapsed ms").isBetween(1990L, 3500L);
        assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
        assertSharedConnectionClosedAndPoolClean();
        assertThat(fast().get(3, TimeUnit.SECONDS).getCode()).as("a new connection serves the next call").isEqualTo(200);
        assertThat(fastStreams.get()).isEqualTo(7);
        assertIdle();
    }

    @Test
    void cancellingACallClosesTheSharedConnectionAndLeavesNothingLeased() throws Exception {
        start(Duration.ofSeconds(10));
        final Future<SimpleHttpResponse> cancelled = slow();
        final Future<SimpleHttpResponse> sibling = slow();
        await(() -> slowStreams.get() == 2, "both slow streams reached the server");
        assertThat(connections.get()).as("the two streams share one connection").isEqualTo(1);

        assertThat(cancelled.cancel(true)).isTrue();
        assertThatThrownBy(() -> cancelled.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        // the sibling stream on the closed connection fails at once (a GET: not retried without a policy)
        assertThatThrownBy(() -> sibling.get(3, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertSharedConnectionClosedAndPoolClean();
        assertIdle();
    }

    /**
     * HttpClient 5.6.5 neither resets a cancelled stream of a shared connection nor gives back its share
     * of the lease (a plain HttpClient then shows a leased connection forever, checked without sturdy).
     * sturdy closes the connection of a cancelled attempt instead, so nothing stays leased and the server
     * sees its streams end; the price, with multiplexing on, is the other streams of that connection.
     */
    private void assertSharedConnectionClosedAndPoolClean() throws InterruptedException {
        await(() -> slowStreamsEnded.get() >= 1, "the server saw the slow stream end");
        await(() -> client.poolStats().getLeased() == 0, "nothing leased: " + client.poolStats());
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting until %s", what).isNegative();
            Thread.sleep(5);
        }
    }

    private void assertIdle() throws InterruptedException {
        await(() -> client.poolStats().getLeased() == 0 && client.poolStats().getPending() == 0
                && client.callsInFlight() == 0 && client.retriesInFlight() == 0,
                "idle: pool " + client.poolStats() + ", calls " + client.callsInFlight());
    }

    /** Counts the connections the server accepts. */
    private final class ConnectionCounter implements IOSessionListener {

        @Override
        public void connected(IOSession session) {
            connections.incrementAndGet();
        }

        @Override
        public void startTls(IOSession session) {
        }

        @Override
        public void inputReady(IOSession session) {
        }

        @Override
        public void outputReady(IOSession session) {
        }

        @Override
        public void timeout(IOSession session) {
        }

        @Override
        public void exception(IOSession session, Exception ex) {
        }

        @Override
        public void disconnected(IOSession session) {
        }
    }

    /** {@code /slow} never answers (and counts it if its stream ever ends); anything else gets 200 "ok". */
    private OkOrSilentStreamHandler newStreamHandler() {
        return new OkOrSilentStreamHandler(path -> {
            if (path.equals("/slow")) {
                slowStreams.incrementAndGet();
                return true;
            }
            fastStreams.incrementAndGet();
            return false;
        }, slowStreamsEnded::incrementAndGet);
    }
}
