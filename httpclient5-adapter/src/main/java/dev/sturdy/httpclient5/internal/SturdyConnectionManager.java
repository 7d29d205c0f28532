package dev.sturdy.httpclient5.internal;

import java.io.IOException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.io.LeaseRequest;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * HttpClient's pooling connection manager with sturdy's admission control ({@link Admission}: a
 * bounded pending-request queue that fails fast) and the sturdy client's lifecycle attached: closing
 * it (which HttpClient does when the client is closed) also stops the client's sturdy runtime, so no
 * sturdy thread outlives the client, whichever way it was built.
 */
public final class SturdyConnectionManager extends PoolControl implements HttpClientConnectionManager {

    private final PoolingHttpClientConnectionManager pool;
    private final ClientRuntime runtime;

    SturdyConnectionManager(PoolingHttpClientConnectionManager pool, ClientRuntime runtime) {
        super(pool);
        this.pool = pool;
        this.runtime = runtime;
    }

    /** @return the pool underneath */
    public PoolingHttpClientConnectionManager pool() {
        return pool;
    }

    /** @return the sturdy runtime closed with this manager */
    public ClientRuntime runtime() {
        return runtime;
    }

    @Override
    public LeaseRequest lease(String id, HttpRoute route, Timeout requestTimeout, Object state) {
        return Admission.admit(this, runtime, id, route, requestTimeout, state);
    }

    @Override
    public void release(ConnectionEndpoint endpoint, Object newState, TimeValue validDuration) {
        leased.decrementAndGet();
        pool.release(endpoint, newState, validDuration);
    }

    @Override
    public void connect(ConnectionEndpoint endpoint, TimeValue connectTimeout, HttpContext context) throws IOException {
        pool.connect(endpoint, connectTimeout, context);
    }

    @Override
    public void upgrade(ConnectionEndpoint endpoint, HttpContext context) throws IOException {
        pool.upgrade(endpoint, context);
    }

    @Override
    public void close(CloseMode closeMode) {
        try {
            pool.close(closeMode);
        } finally {
            runtime.close();
        }
    }

    @Override
    public void close() {
        close(CloseMode.GRACEFUL);
    }

}
