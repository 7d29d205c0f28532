package dev.sturdy.httpclient5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.PoolOverflowException;
import dev.sturdy.ResiliencePolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ends of a queued async lease, driven one by one without a network (the pool hands out entries
 * that are not connected yet): whatever ends the wait ends it once, gives the pending place back once,
 * tells HttpClient once, and a connection that arrives afterwards goes back to the pool.
 */
class QueuedLeaseTest {

    private static final HttpRoute ROUTE = new HttpRoute(new HttpHost("http", "127.0.0.1", 9));
    private static final Timeout TEN_SECONDS = Timeout.ofSeconds(10);

    private AsyncRuntime runtime;
    private PoolingAsyncClientConnectionManager pool;
    private SturdyAsyncConnectionManager manager;

    @BeforeEach
    void setUp() {
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(1)
                        .maxPendingWait(Duration.ofSeconds(10)).build())
                .build();
        runtime = AsyncInstaller.install(policy, HttpAsyncClientBuilder.create(), Seams.SYSTEM, b -> { });
        pool = AsyncInstaller.poolBuilder(policy).build();
        manager = new SturdyAsyncConnectionManager(pool, runtime);
    }

    @AfterEach
    void tearDown() {
        manager.close();
        runtime.close();
    }

    @Test
    void cancelEndsTheWaitOnceWhateverComesAfter() throws Exception {
        Recorder holder = new Recorder();
        manager.lease("1", ROUTE, null, TEN_SECONDS, holder);
        assertThat(holder.completed).hasSize(1);
        assertThat(manager.leasedConnections()).isEqualTo(1);

        Recorder waiter = new Recorder();
        Future<AsyncConnectionEndpoint> queued = manager.lease("2", ROUTE, null, TEN_SECONDS, waiter);
        assertThat(queued.isDone()).isFalse();
        assertThat(manager.pendingRequests()).isEqualTo(1);

        assertThat(queued.cancel(true)).isTrue();
        assertThat(queued.cancel(true)).as("a second cancel").isFalse();
        ((Runnable) queued).run(); // the timer, had it not been stopped
        ((FutureCallback<?>) queued).cancelled(); // the pool's own cancel
        assertThat(waiter.events).containsExactly("cancelled");
        assertThat(manager.pendingRequests()).isZero();
        assertThat(queued.isCancelled()).isTrue();

        manager.release(holder.completed.get(0), null, TimeValue.ZERO_MILLISECONDS);
        assertThat(manager.leasedConnections()).isZero();
        assertThat(pool.getTotalStats().getLeased()).isZero();
        assertThat(pool.getTotalStats().getPending()).as("the cancelled lease left the pool's queue").isZero();
    }

    @Test
    void aLateConnectionIsGivenBackAndNotCounted() throws Exception {
        manager.lease("1", ROUTE, null, TEN_SECONDS, new Recorder());
        Recorder waiter = new Recorder();
        Future<AsyncConnectionEndpoint> queued = manager.lease("2", ROUTE, null, TEN_SECONDS, waiter);
        ((Runnable) queued).run(); // maxPendingWait passed

        assertThat(waiter.events).hasSize(1);
        assertThat(waiter.failures.get(0)).isExactlyInstanceOf(ConnectionRequestTimeoutException.class)
                .hasMessage("waited PT10S for a connection to http://127.0.0.1:9 (maxPendingWait PT10S, 1 waiting)");
        assertThat(manager.pendingRequests()).isZero();

        // a connection the pool had already picked for the lease arrives now (a second entry, leased
        // from the pool directly once its own limit allows it)
        pool.setMaxTotal(2);
        pool.setMaxPerRoute(ROUTE, 2);
        AsyncConnectionEndpoint late = pool.lease("late", ROUTE, null, TEN_SECONDS, null).get(1, TimeUnit.SECONDS);
        assertThat(pool.getTotalStats().getLeased()).isEqualTo(2);
        @SuppressWarnings("unchecked")
        FutureCallback<AsyncConnectionEndpoint> poolSide = (FutureCallback<AsyncConnectionEndpoint>) queued;
        poolSide.completed(late);

        assertThat(pool.getTotalStats().getLeased()).as("given back to the pool").isEqualTo(1);
        assertThat(manager.leasedConnections()).as("only the holder's").isEqualTo(1);
        assertThat(waiter.events).containsExactly("failed");
        assertThat(manager.pendingRequests()).isZero();
    }

    @Test
    void overflowFailsAtOnceAndHoldsNoPlace() {
        manager.lease("1", ROUTE, null, TEN_SECONDS, new Recorder());
        manager.lease("2", ROUTE, null, TEN_SECONDS, new Recorder());
        Recorder refused = new Recorder();
        Future<AsyncConnectionEndpoint> f = manager.lease("3", ROUTE, null, TEN_SECONDS, refused);
        assertThat(f.isDone()).isTrue();
        assertThat(refused.failures).singleElement().isInstanceOfSatisfying(PoolOverflowException.class,
                e -> assertThat(e).hasMessage("http://127.0.0.1:9 refused: no connection free and 1 requests already"
                        + " waiting (http1MaxPendingRequests 1)"));
        assertThat(manager.pendingRequests()).isEqualTo(1);
        manager.close();
        assertThat(manager.pendingRequests()).as("closing ends the one still queued").isZero();
    }

    /** HttpClient's side of a lease: records what it is told. */
    private static final class Recorder implements FutureCallback<AsyncConnectionEndpoint> {

        final List<String> events = new CopyOnWriteArrayList<>();
        final List<AsyncConnectionEndpoint> completed = new CopyOnWriteArrayList<>();
        final List<Exception> failures = new CopyOnWriteArrayList<>();

        @Override
        public void completed(AsyncConnectionEndpoint result) {
            events.add("completed");
            completed.add(result);
        }

        @Override
        public void failed(Exception ex) {
            events.add("failed");
            failures.add(ex);
        }

        @Override
        public void cancelled() {
            events.add("cancelled");
        }
    }
}
