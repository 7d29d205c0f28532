package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.httpclient5.internal.CallHandler;
import dev.sturdy.httpclient5.internal.SturdyConnectionManager;
import java.io.IOException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;

/**
 * An HttpClient 5 classic client whose every call follows a {@link ResiliencePolicy}. Built by
 * {@link SturdyHttpClients#custom(ResiliencePolicy)}; use it as any {@link CloseableHttpClient}.
 *
 * <p>With {@code execute(request, handler)} the overall deadline ({@code responseTimeout}) also
 * covers the handler reading the body: a server that trickles the body cannot hold the call past it,
 * and the call then fails with {@link dev.sturdy.DeadlineExceededException}. With {@code executeOpen}
 * (streaming) the deadline covers the call until the response head is returned.
 *
 * <p>Thread-safety: thread-safe, like the client it wraps. {@link #close()} closes the connection
 * pool and stops sturdy's deadline thread.
 */
public final class SturdyHttpClient extends CloseableHttpClient {

    private final CloseableHttpClient delegate;
    private final SturdyConnectionManager connectionManager;

    SturdyHttpClient(CloseableHttpClient delegate, SturdyConnectionManager connectionManager) {
        this.delegate = delegate;
        this.connectionManager = connectionManager;
    }

    /** @return the policy new calls follow */
    public ResiliencePolicy policy() {
        return connectionManager.runtime().policy();
    }

    /** @return the client's counters ({@code rq_total}, {@code rq_retry}, ...), live */
    public ResilienceMetrics metrics() {
        return connectionManager.runtime().counters();
    }

    /**
     * @return the connection pool's totals: leased, pending, available and max connections; after
     *         every call has ended, leased and pending are 0
     */
    public PoolStats poolStats() {
        return connectionManager.getTotalStats();
    }

    /** @return retries holding a retry-budget slot right now (0 once every call has ended) */
    public int retriesInFlight() {
        return connectionManager.runtime().budget().retriesInFlight();
    }

    /**
     * @return requests waiting for a pooled connection right now (at most
     *         {@code http1MaxPendingRequests}; 0 once every call has ended)
     */
    public int pendingRequests() {
        return connectionManager.pendingRequests();
    }

    /** @return connections sturdy's admission counts as leased (tests check it is back to 0) */
    int leasedConnections() {
        return connectionManager.leasedConnections();
    }

    /** @return calls in flight right now (at most {@code http2MaxRequests}; 0 once every call has ended) */
    public int callsInFlight() {
        return connectionManager.runtime().budget().activeCalls();
    }

    @Override
    @SuppressWarnings("deprecation")
    protected CloseableHttpResponse doExecute(HttpHost target, ClassicHttpRequest request, HttpContext context)
            throws IOException {
        return delegate.execute(target, request, context);
    }

    @Override
    public <T> T execute(HttpHost target, ClassicHttpRequest request, HttpContext context,
                         HttpClientResponseHandler<? extends T> responseHandler) throws IOException {
        final Object previous = CallHandler.beforeBodyCall(context == null);
        final T result;
        try {
            try (ClassicHttpResponse response = doExecute(target, request, context)) {
                result = responseHandler.handleResponse(response);
                EntityUtils.consume(response.getEntity());
            } catch (HttpException e) {
                throw new ClientProtocolException(e);
            }
        } catch (IOException e) {
            throw CallHandler.afterBodyCall(previous, e);
        } catch (RuntimeException | Error e) {
            CallHandler.afterBodyCall(previous, null);
            throw e;
        }
        CallHandler.afterBodyCall(previous, null);
        return result;
    }

    @Override
    public void close(CloseMode closeMode) {
        delegate.close(closeMode);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "SturdyHttpClient{" + policy() + "}";
    }
}
