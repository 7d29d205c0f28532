package dev.sturdy.httpclient5.internal;

import java.util.Set;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;

/**
 * HttpClient's pool controls (statistics, limits, idle and expired eviction) handed to the pool that
 * sturdy's connection managers wrap. HttpClient's idle evictor and callers of {@code getTotalStats()}
 * look for a {@link ConnPoolControl} on the manager: both of sturdy's managers, classic and async, are
 * one through this base, and only their lease path is their own.
 */
abstract class PoolControl implements ConnPoolControl<HttpRoute> {

    private final ConnPoolControl<HttpRoute> control;

    PoolControl(ConnPoolControl<HttpRoute> control) {
        this.control = control;
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
