package dev.sturdy.httpclient5.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.DeadlineExceededException;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import dev.sturdy.httpclient5.testing.FaultServer;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

/**
 * The classic client's connection lease at its edges: a caller interrupted before it calls, a pool
 * shut down under a queued call, and a counted lease that still waits in the pool's queue when the
 * call's deadline passes. Each ends with a typed exception and leaves every count at zero.
 */
class ClassicLeaseEdgeTest {

    private static final Timeout FIVE_SECONDS = Timeout.ofSeconds(5);

    /** A client built on sturdy's installer directly, so the test can reach its connection manager. */
    private static final class Installed implements AutoCloseable {
        final SturdyConnectionManager manager;
        final CloseableHttpClient client;

        Installed(ResiliencePolicy policy) {
            final HttpClientBuilder builder = HttpClientBuilder.create();
            this.manager = ClassicInstaller.install(policy, builder, Seams.SYSTEM, b -> { }, List.of());
            this.client = builder.build();
        }

        ConnectionEndpoint holdAConnection(FaultServer server) throws Exception {
            return manager.lease("held", new HttpRoute(server.httpHost()), FIVE_SECONDS, null).get(FIVE_SECONDS);
        }

        void assertCountsAtZero() {
            assertThat(manager.leasedConnections()).as("connections sturdy counts as leased").isZero();
            assertThat(manager.pendingRequests()).as("requests sturdy counts as waiting").isZero();
            assertThat(manager.pool().getTotalStats().getLeased()).as("the pool's leased connections").isZero();
            assertThat(manager.pool().getTotalStats().getPending()).as("the pool's pending leases").isZero();
        }

        @Override
        public void close() throws Exception {
            client.close(CloseMode.IMMEDIATE);
            manager.runtime().close();
        }
    }

    /**
     * A thread interrupted before it calls (a task cancelled with {@code Future.cancel(true)} as it
     * starts): the pool refuses it a lease with an already cancelled one, which plain HttpClient lets
     * through as an unchecked {@code CancellationException}. sturdy reports the interrupt as the abort
     * it is, and the thread stays interrupted.
     */
    @Test
    void anInterruptedCallerGetsRequestAbortedAndStaysInterrupted() throws Exception {
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()) {
            Thread.currentThread().interrupt();
            final boolean stillInterrupted;
            try {
                assertThatThrownBy(() -> client.execute(new HttpGet(server.uri("/")), r -> r.getCode()))
                        .isInstanceOf(InterruptedIOException.class)
                        .hasMessage("Request aborted");
            } finally {
                stillInterrupted = Thread.interrupted();
            }
            assertThat(stillInterrupted).as("the interrupt is kept for the caller").isTrue();
            assertThat(server.requestCount()).isZero();
            assertThat(client.callsInFlight()).isZero();
            assertThat(client.poolStats().getLeased()).isZero();

            final int next = client.execute(new HttpGet(server.uri("/after")), r -> r.getCode());
            assertThat(next).as("the thread's next call, not interrupted").isEqualTo(200);
        }
    }

    /** The pool shuts down between a call's admission to the pending queue and its lease. */
    @Test
    void aLeaseRefusedByAShutDownPoolGivesItsPendingPlaceBack() throws Exception {
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(4)
                        .maxPendingWait(Duration.ofSeconds(5)).build())
                .build();
        try (FaultServer server = FaultServer.start(); Installed installed = new Installed(policy)) {
            final ConnectionEndpoint held = installed.holdAConnection(server); // the only connection
            installed.manager.pool().close(CloseMode.IMMEDIATE); // as client.close() on another thread would

            assertThatThrownBy(() -> installed.client.execute(new HttpGet(server.uri("/late")), r -> r.getCode()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Connection pool shut down");
            installed.manager.release(held, null, TimeValue.ZERO_MILLISECONDS);

            assertThat(installed.manager.leasedConnections()).as("leased").isZero();
            assertThat(installed.manager.pendingRequests()).as("pending after every call has ended").isZero();
            assertThat(server.requestCount()).isZero();
        }
    }

    /**
     * A call is counted a connection (sturdy's count had room) but its lease waits in the pool's queue:
     * here the pool's own limit was lowered under sturdy, which stands in for the burst race described
     * at {@code PoolControl#reserve} (a queued lease takes the free connection first). The call's 300 ms
     * deadline ends that wait; before, it lasted the whole 5 s {@code maxPendingWait}.
     */
    @Test
    void theDeadlineEndsACountedLeaseThatStillWaitsInThePoolsQueue() throws Exception {
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(5))
                        .responseTimeout(Duration.ofMillis(300)).build())
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(2)
                        .maxPendingWait(Duration.ofSeconds(5)).build())
                .build();
        try (FaultServer server = FaultServer.start(); Installed installed = new Installed(policy)) {
            final ConnectionEndpoint held = installed.holdAConnection(server);
            installed.manager.pool().setMaxTotal(1); // sturdy still counts room for one more
            assertThat(installed.manager.pool().getTotalStats().getAvailable()).isZero();

            final long t0 = System.nanoTime();
            assertThatThrownBy(() -> installed.client.execute(new HttpGet(server.uri("/stuck")), r -> r.getCode()))
                    .isExactlyInstanceOf(DeadlineExceededException.class)
                    .hasMessage("GET " + server.baseUrl() + " exceeded responseTimeout PT0.3S after 1 attempt")
                    .hasCauseInstanceOf(CancellationException.class);
            final long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // a deadline fires at most a watchdog tick or two late; the pool's wait would have been 5 s
            assertThat(tookMillis).as("ms until the call ended").isLessThan(2_500);

            installed.manager.release(held, null, TimeValue.ZERO_MILLISECONDS);
            installed.assertCountsAtZero();
            assertThat(server.requestCount()).isZero();
        }
    }
}
