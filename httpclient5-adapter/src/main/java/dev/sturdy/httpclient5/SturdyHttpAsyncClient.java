package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.httpclient5.internal.AsyncRuntime;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.function.Supplier;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.reactor.IOReactorStatus;
import org.apache.hc.core5.util.TimeValue;

/**
 * An HttpClient 5 async client whose every call follows a {@link ResiliencePolicy}. Built by
 * {@link SturdyHttpAsyncClients#custom(ResiliencePolicy)}; use it as any {@link CloseableHttpAsyncClient}
 * (call {@link #start()} first).
 *
 * <p>The overall deadline ({@code responseTimeout}) covers every attempt, every backoff wait and the
 * response consumer reading the body: when it passes, the attempt in flight is cancelled and the
 * future fails with {@link dev.sturdy.DeadlineExceededException}. A response that is still a failure
 * after the last retry (a 503, say) completes the future normally. Cancelling the future cancels the
 * attempt in flight (on HTTP/2 only its stream) or the pending retry. The number of attempts is in the
 * context afterwards ({@link SturdyContext#attempts}).
 *
 * <p>Thread-safety: thread-safe. {@link #close()} closes the I/O reactor and pool, fails calls waiting
 * to retry, and stops sturdy's timer and deadline threads. A graceful close lets exchanges in flight
 * finish within HttpClient's grace period; a call whose exchange fails once closing has begun (or that
 * is still unfinished when sturdy's threads stop) fails with
 * {@code CancellationException("Request execution cancelled: client closed")}, the reactor's exception,
 * if any, as its cause.
 */
public final class SturdyHttpAsyncClient extends CloseableHttpAsyncClient {

    private final AsyncRuntime runtime;

    SturdyHttpAsyncClient(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /** @return the policy new calls follow */
    public ResiliencePolicy policy() {
        return runtime.runtime().policy();
    }

    /** @return the client's counters ({@code rq_total}, {@code rq_retry}, ...), live */
    public ResilienceMetrics metrics() {
        return runtime.runtime().counters();
    }

    /** @return the pool's totals; after every call has ended, leased and pending are 0 */
    public PoolStats poolStats() {
        return runtime.poolStats();
    }

    /**
     * @return requests waiting for a connection in sturdy's pending queue (at most
     *         {@code http1MaxPendingRequests}; 0 once every call has ended)
     */
    public int pendingRequests() {
        return runtime.pendingRequests();
    }

    /** @return calls in flight right now, backoff waits included (0 once every call has ended) */
    public int callsInFlight() {
        return runtime.runtime().budget().activeCalls();
    }

    /** @return retries holding a retry-budget slot right now (0 once every call has ended) */
    public int retriesInFlight() {
        return runtime.runtime().budget().retriesInFlight();
    }

    /** @return true while one of sturdy's own threads (deadline watchdog, retry timer) still runs */
    public boolean sturdyThreadsRunning() {
        return runtime.threadsRunning();
    }

    /** Test access to the runtime (package-private). */
    AsyncRuntime runtimeForTests() {
        return runtime;
    }

    @Override
    public void start() {
        delegate().start();
    }

    @Override
    public IOReactorStatus getStatus() {
        return delegate().getStatus();
    }

    @Override
    public void awaitShutdown(TimeValue waitTime) throws InterruptedException {
        delegate().awaitShutdown(waitTime);
    }

    @Override
    public void initiateShutdown() {
        delegate().initiateShutdown();
    }

    @Override
    protected <T> Future<T> doExecute(HttpHost target, AsyncRequestProducer requestProducer,
                                      AsyncResponseConsumer<T> responseConsumer,
                                      HandlerFactory<AsyncPushConsumer> pushHandlerFactory, HttpContext context,
                                      FutureCallback<T> callback) {
        return runtime.execute(target, requestProducer, responseConsumer, pushHandlerFactory, context, callback);
    }

    /** Deprecated in HttpClient (push is deprecated); passed on to the client that runs the attempts. */
    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public void register(String hostname, String uriPattern, Supplier<AsyncPushConsumer> supplier) {
        delegate().register(hostname, uriPattern, supplier);
    }

    @Override
    public void close(CloseMode closeMode) {
        runtime.close(closeMode);
    }

    @Override
    public void close() {
        runtime.close(CloseMode.GRACEFUL);
    }

    @Override
    public String toString() {
        return "SturdyHttpAsyncClient{" + policy() + "}";
    }

    private CloseableHttpAsyncClient delegate() {
        return runtime.attempts();
    }
}
