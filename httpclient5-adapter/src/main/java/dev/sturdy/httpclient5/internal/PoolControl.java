package dev.sturdy.httpclient5.internal;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;

/**
 * HttpClient's pool controls (statistics, limits, idle and expired eviction) handed to the pool that
 * sturdy's connection managers wrap, and the admission counts both managers keep. HttpClient's idle
 * evictor and callers of {@code getTotalStats()} look for a {@link ConnPoolControl} on the manager:
 * both of sturdy's managers, classic and async, are one through this base, and only their lease path
 * is their own.
 */
abstract class PoolControl implements ConnPoolControl<HttpRoute> {

    private final ConnPoolControl<HttpRoute> control;
    private final int maxTotal;
    private final int maxPerRoute;
    /** Connections taken for leases through this manager and not yet given back. */
    final AtomicInteger leased = new AtomicInteger();
    /** Requests waiting in sturdy's pending queue for a connection. */
    final AtomicInteger pending = new AtomicInteger();

    PoolControl(ConnPoolControl<HttpRoute> control) {
        this.control = control;
        // read once: the pool's getters take its lock
        this.maxTotal = control.getMaxTotal();
        this.maxPerRoute = control.getDefaultMaxPerRoute();
    }

    /**
     * Takes a connection for a new lease if one is free: not when every connection of the pool is
     * leased, nor (when the per-endpoint limit is below the total) every connection of the route. The
     * total is counted atomically, so leases arriving together cannot all pass the check and end up in
     * HttpClient's unbounded queue, outside sturdy's pending limit. The caller gives the connection back
     * ({@code leased.decrementAndGet()}) when the lease fails or is cancelled, or when the connection is
     * released. With HttpClient's experimental HTTP/2 message multiplexing a shared connection counts
     * once per lease, so admission errs towards queueing.
     *
     * <p>The count is sturdy's, the connections are the pool's: a queued lease that reaches the pool
     * between another call's reservation and that call's own lease takes the free connection first, and
     * the reserving call then waits in the pool's queue without a pending place. A burst can therefore
     * admit at most one call more per reserved connection than the limits say (a check-then-lease count
     * let the whole burst through); closing that gap needs sturdy to hand connections to its own queue.
     *
     * @return true when the lease may go to the pool (the connection is counted as leased)
     */
    final boolean reserve(HttpRoute route) {
        // only when the per-endpoint limit is below the total is a per-route look-up (under the pool's lock) needed
        if (maxPerRoute < maxTotal && control.getStats(route).getLeased() >= maxPerRoute) {
            return false;
        }
        for (;;) {
            final int n = leased.get();
            if (n >= maxTotal) {
                return false;
            }
            if (leased.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** @return requests waiting in sturdy's queue for a connection right now */
    public final int pendingRequests() {
        return pending.get();
    }

    /** @return connections leased through this manager and not yet given back (0 once every call has ended) */
    public final int leasedConnections() {
        return leased.get();
    }

    @Override
    public PoolStats getTotalStats() {
        return control.getTotalStats();
    }

    @Override
    public PoolStats getStats(HttpRoute route) {
        return control.getStats(route);
    }

    @Override
    public void setMaxTotal(int max) {
        control.setMaxTotal(max);
    }

    @Override
    public int getMaxTotal() {
        return control.getMaxTotal();
    }

    @Override
    public void setDefaultMaxPerRoute(int max) {
        control.setDefaultMaxPerRoute(max);
    }

    @Override
    public int getDefaultMaxPerRoute() {
        return control.getDefaultMaxPerRoute();
    }

    @Override
    public void setMaxPerRoute(HttpRoute route, int max) {
        control.setMaxPerRoute(route, max);
    }

    @Override
    public int getMaxPerRoute(HttpRoute route) {
        return control.getMaxPerRoute(route);
    }

    @Override
    public void closeIdle(TimeValue idleTime) {
        control.closeIdle(idleTime);
    }

    @Override
    public void closeExpired() {
        control.closeExpired();
    }

    @Override
    public Set<HttpRoute> getRoutes() {
        return control.getRoutes();
    }
}
