package dev.sturdy.httpclient5.internal;

import dev.sturdy.PoolOverflowException;
import dev.sturdy.event.ResilienceCounter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.ConnectionInitiator;
import org.apache.hc.core5.util.DeadlineTimeoutException;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HttpClient's async pooling connection manager with sturdy's admission control (SPEC 5), the async
 * counterpart of {@link SturdyConnectionManager}. A lease that finds a free connection goes to the
 * pool untouched. When every connection of the route or the pool is busy the request joins sturdy's
 * pending queue, which holds at most {@code http1MaxPendingRequests}: one more fails at once with a
 * {@link PoolOverflowException}, instead of joining HttpClient's unbounded queue. A queued lease waits
 * at most {@code maxPendingWait} (or the request's shorter connection-request timeout), enforced by
 * sturdy's timer: HttpClient's own pool timeout is only checked when the pool is next touched, so it
 * fires late, and it is not an {@code IOException}. See {@link QueuedLease}.
 *
 * <p>Closing the manager (which HttpClient does when the client is closed) fails the leases still
 * queued: HttpClient's pool drops them without a word.
 */
public final class SturdyAsyncConnectionManager extends PoolControl implements AsyncClientConnectionManager {

    private static final Logger LOG = LoggerFactory.getLogger("dev.sturdy.httpclient5");

    private final PoolingAsyncClientConnectionManager pool;
    private final AsyncRuntime async;
    /** The queued leases, failed when the manager closes. */
    private final Set<QueuedLease> queued = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    SturdyAsyncConnectionManager(PoolingAsyncClientConnectionManager pool, AsyncRuntime async) {
        super(pool);
        this.pool = pool;
        this.async = async;
    }

    /** @return the pool underneath */
    public PoolingAsyncClientConnectionManager pool() {
        return pool;
    }

    /**
     * Leases a connection under admission control. The success path (a connection is free) allocates
     * one small callback, which gives the counted connection back should the pool's lease fail or be
     * cancelled; the pool's own future is returned.
     */
    @Override
    public Future<AsyncConnectionEndpoint> lease(String id, HttpRoute route, Object state, Timeout requestTimeout,
                                                 FutureCallback<AsyncConnectionEndpoint> callback) {
        if (reserve(route)) {
            try {
                return pool.lease(id, route, state, requestTimeout, new Reserved(this, route, requestTimeout, callback));
            } catch (RuntimeException e) { // "Connection pool shut down"
                leased.decrementAndGet();
                throw e;
            }
        }
        return queue(id, route, state, requestTimeout, callback);
    }

    private Future<AsyncConnectionEndpoint> queue(String id, HttpRoute route, Object state, Timeout requestTimeout,
                                                  FutureCallback<AsyncConnectionEndpoint> callback) {
        final ClientRuntime runtime = async.runtime;
        final PolicyState ps = runtime.state();
        final HttpHost target = route.getTargetHost();
        runtime.counters.increment(ResilienceCounter.CX_OVERFLOW, target);
        final int waiting = Admission.joinQueue(pending, ps.maxPendingRequests);
        if (waiting >= ps.maxPendingRequests) {
            return QueuedLease.refused(this, route, ps, callback, Admission.pendingOverflow(runtime, target, waiting, ps));
        }
        final long waitNanos = requestTimeout == null || requestTimeout.isDisabled()
                ? ps.maxPendingWaitNanos : Math.min(requestTimeout.toNanoseconds(), ps.maxPendingWaitNanos);
        final QueuedLease lease = new QueuedLease(this, route, state, ps, waitNanos, callback);
        queued.add(lease);
        if (closed) {
            lease.clientClosed();
            return lease;
        }
        final ScheduledFuture<?> timer = async.scheduler.schedule(lease, waitNanos);
        if (timer == null) { // the client is closing: its timer is stopped
            lease.clientClosed();
            return lease;
        }
        lease.timer(timer);
        final Future<AsyncConnectionEndpoint> inner;
        try {
            // the pool keeps its own (late) timeout as a backstop; sturdy's timer fires first
            inner = pool.lease(id, route, state, requestTimeout == null ? Timeout.DISABLED : requestTimeout, lease);
        } catch (RuntimeException poolClosed) { // "Connection pool shut down"
            lease.failed(poolClosed);
            return lease;
        }
        lease.inner(inner);
        return lease;
    }

    /** The classic client's lease timeout, with its message ({@link Admission#leaseTimeoutMessage}). */
    ConnectionRequestTimeoutException leaseTimeout(long waitedNanos, HttpRoute route, PolicyState ps) {
        return new ConnectionRequestTimeoutException(
                Admission.leaseTimeoutMessage(waitedNanos, route.getTargetHost(), ps, pending.get()));
    }

    void dequeue(QueuedLease lease) {
        pending.decrementAndGet();
        queued.remove(lease);
    }

    /** A connection that reached a lease after it ended (timeout, cancel): straight back to the pool. */
    void giveBack(AsyncConnectionEndpoint endpoint, Object state) {
        try {
            // a fresh entry without a connection is simply freed; an open one stays in the pool
            pool.release(endpoint, state, TimeValue.ZERO_MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.debug("giving back a connection that arrived after its lease ended failed", e);
        }
    }

    @Override
    public void release(AsyncConnectionEndpoint endpoint, Object newState, TimeValue validDuration) {
        try {
            // the pool hands the connection to a waiting lease (counted again) before this count drops:
            // the count never falls below what the pool has leased
            pool.release(endpoint, newState, validDuration);
        } finally {
            leased.decrementAndGet();
        }
    }

    @Override
    public Future<AsyncConnectionEndpoint> connect(AsyncConnectionEndpoint endpoint,
                                                   ConnectionInitiator connectionInitiator, Timeout connectTimeout,
                                                   Object attachment, HttpContext context,
                                                   FutureCallback<AsyncConnectionEndpoint> callback) {
        return pool.connect(endpoint, connectionInitiator, connectTimeout, attachment, context, callback);
    }

    @Override
    public void upgrade(AsyncConnectionEndpoint endpoint, Object attachment, HttpContext context) {
        pool.upgrade(endpoint, attachment, context);
    }

    @Override
    public void upgrade(AsyncConnectionEndpoint endpoint, Object attachment, HttpContext context,
                        FutureCallback<AsyncConnectionEndpoint> callback) {
        pool.upgrade(endpoint, attachment, context, callback);
    }

    /** Closes the pool, then fails every lease still queued (the pool forgets them silently). */
    @Override
    public void close(CloseMode closeMode) {
        closed = true;
        try {
            pool.close(closeMode);
        } finally {
            for (QueuedLease lease : queued) {
                lease.clientClosed();
            }
        }
    }

    @Override
    public void close() {
        close(CloseMode.GRACEFUL);
    }

    @Override
    public String toString() {
        return "SturdyAsyncConnectionManager{leased=" + leased.get() + ", pending=" + pending.get() + ", " + pool + "}";
    }

    /**
     * The success path's callback: gives the connection counted for the lease back if none comes. A
     * lease that still had to wait in HttpClient's queue (a lower per-route limit, which is checked
     * without a lock, or a queued lease that took the free connection first) and hit HttpClient's own
     * late timeout fails with sturdy's timeout all the same.
     */
    private static final class Reserved implements FutureCallback<AsyncConnectionEndpoint> {

        private final SturdyAsyncConnectionManager manager;
        private final HttpRoute route;
        private final Timeout requestTimeout;
        private final FutureCallback<AsyncConnectionEndpoint> callback;

        Reserved(SturdyAsyncConnectionManager manager, HttpRoute route, Timeout requestTimeout,
                 FutureCallback<AsyncConnectionEndpoint> callback) {
            this.manager = manager;
            this.route = route;
            this.requestTimeout = requestTimeout;
            this.callback = callback;
        }

        @Override
        public void completed(AsyncConnectionEndpoint endpoint) {
            if (callback != null) {
                callback.completed(endpoint);
            }
        }

        @Override
        public void failed(Exception ex) {
            manager.leased.decrementAndGet();
            final Exception f = ex instanceof DeadlineTimeoutException && requestTimeout != null
                    ? manager.leaseTimeout(requestTimeout.toNanoseconds(), route, manager.async.runtime.state())
                    : ex;
            if (callback != null) {
                callback.failed(f);
            }
        }

        @Override
        public void cancelled() {
            manager.leased.decrementAndGet();
            if (callback != null) {
                callback.cancelled();
            }
        }
    }
}
