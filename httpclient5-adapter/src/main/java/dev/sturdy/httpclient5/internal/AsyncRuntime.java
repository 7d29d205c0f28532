package dev.sturdy.httpclient5.internal;

import dev.sturdy.EndpointGroup;
import dev.sturdy.ResiliencePolicy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;
import java.util.concurrent.Future;

/**
 * The live state of one sturdy async client: the shared {@link ClientRuntime} (policy, counters, retry
 * budget, deadline watchdog), the retry timer, the HttpClient async client that runs single attempts,
 * and its pool. Closing it closes all of them and fails the calls still waiting to retry.
 */
public final class AsyncRuntime implements AutoCloseable {

    final ClientRuntime runtime;
    final AsyncRetryScheduler scheduler = new AsyncRetryScheduler();
    /** Calls waiting for their next attempt: failed when the client closes. */
    final Set<AsyncCall<?>> waiting = ConcurrentHashMap.newKeySet();
    private final PoolingAsyncClientConnectionManager pool;
    private volatile CloseableHttpAsyncClient attempts;
    private volatile SturdyAsyncConnectionManager admission;
    /** Set when {@link #close} starts: attempts failing from then on end their call as "client closed". */
    private volatile boolean closing;

    AsyncRuntime(ResiliencePolicy policy, Seams seams, PoolingAsyncClientConnectionManager pool) {
        this(policy, seams, pool, List.of(), b -> { });
    }

    /**
     * @param groups         the client's endpoint groups
     * @param poolCustomizer the user's changes to the pool builder, applied to the health probes' pool too
     */
    AsyncRuntime(ResiliencePolicy policy, Seams seams, PoolingAsyncClientConnectionManager pool,
                 List<EndpointGroup> groups, Consumer<PoolingAsyncClientConnectionManagerBuilder> poolCustomizer) {
        this.runtime = new ClientRuntime(policy, seams, groups,
                (ProbeTransport.Factory) members -> new AsyncProbes(policy, poolCustomizer));
        this.pool = pool;
    }

    /** @param attempts the client that runs single attempts (built with sturdy's chain handlers) */
    public void attach(CloseableHttpAsyncClient attempts) {
        this.attempts = attempts;
    }

    /** @param manager sturdy's connection manager around the pool: its pending queue and leased count */
    void admission(SturdyAsyncConnectionManager manager) {
        this.admission = manager;
    }

    /** @return sturdy's connection manager (pending queue, leased count), null before installation ends */
    public SturdyAsyncConnectionManager admission() {
        return admission;
    }

    /** @return requests waiting in sturdy's pending queue for a connection */
    public int pendingRequests() {
        final SturdyAsyncConnectionManager m = admission;
        return m == null ? 0 : m.pendingRequests();
    }

    /** @return the counters, budget and policy shared with the classic engine */
    public ClientRuntime runtime() {
        return runtime;
    }

    /** @return the pool's totals */
    public PoolStats poolStats() {
        return pool.getTotalStats();
    }

    /** @return true while sturdy's deadline or retry thread may run */
    public boolean threadsRunning() {
        return runtime.isRunning() || scheduler.isRunning();
    }

    /**
     * Runs one call under the policy: retries, deadlines, budget.
     *
     * @return the caller's future; cancelling it cancels the attempt in flight or the pending retry
     */
    public <T> Future<T> execute(HttpHost target, AsyncRequestProducer producer, AsyncResponseConsumer<T> consumer,
                                 HandlerFactory<AsyncPushConsumer> pushHandlerFactory, HttpContext context,
                                 FutureCallback<T> callback) {
        return AsyncCall.start(this, target, producer, consumer, pushHandlerFactory, context, callback);
    }

    /** @return true once {@link #close} has started */
    boolean closing() {
        return closing;
    }

    /** @return the HttpClient async client that runs single attempts */
    public CloseableHttpAsyncClient attempts() {
        return attempts;
    }

    /** Closes the attempts client first (in-flight attempts fail), then fails waiting calls and stops threads. */
    public void close(CloseMode mode) {
        closing = true;
        try {
            final CloseableHttpAsyncClient a = attempts;
            if (a != null) {
                a.close(mode);
            }
        } finally {
            try {
                scheduler.close();
                for (AsyncCall<?> call : waiting) {
                    call.clientClosed();
                }
            } finally {
                runtime.close();
            }
        }
    }

    @Override
    public void close() {
        close(CloseMode.GRACEFUL);
    }
}
