package dev.sturdy.httpclient5.testing;

import java.time.Duration;

import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.pool.PoolStats;

/**
 * The leak check to run after every fault test: a connection pool must end with nothing leased and
 * nothing pending.
 *
 * <pre>{@code
 * PoolAssertions.assertAllReleased(connectionManager);   // classic PoolingHttpClientConnectionManager
 * PoolAssertions.assertAllReleased(asyncConnectionManager, Duration.ofSeconds(5));
 * }</pre>
 * Works for any {@link ConnPoolControl}: the classic and async pooling connection managers both are
 * one. Polls, because async clients release connections on I/O threads after the caller's future
 * completed. Stateless and thread-safe.
 */
public final class PoolAssertions {

    /** How long {@link #assertAllReleased(ConnPoolControl)} polls: 2 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private PoolAssertions() {
    }

    /**
     * Polls for up to 2 s until {@code pool.getTotalStats()} shows 0 leased and 0 pending.
     *
     * @throws AssertionError with the total and per-route stats if it does not
     */
    public static void assertAllReleased(ConnPoolControl<?> pool) {
        assertAllReleased(pool, DEFAULT_TIMEOUT);
    }

    /**
     * Polls for up to {@code timeout} until {@code pool.getTotalStats()} shows 0 leased and 0 pending.
     *
     * @throws AssertionError with the total and per-route stats if it does not
     */
    public static void assertAllReleased(ConnPoolControl<?> pool, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PoolStats stats = pool.getTotalStats();
        while (stats.getLeased() != 0 || stats.getPending() != 0) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("connection pool still has " + stats.getLeased() + " leased and "
                        + stats.getPending() + " pending connections after " + timeout.toMillis() + " ms: total "
                        + stats + describeRoutes(pool));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the pool to release; total " + stats, e);
            }
            stats = pool.getTotalStats();
        }
    }

    private static <T> String describeRoutes(ConnPoolControl<T> pool) {
        StringBuilder text = new StringBuilder();
        for (T route : pool.getRoutes()) {
            text.append("; ").append(route).append(' ').append(pool.getStats(route));
        }
        return text.toString();
    }
}
