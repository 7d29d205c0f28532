package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.httpclient5.internal.SturdyAsyncConnectionManager;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.pool.PoolStats;

/**
 * Looks at an async client's admission state from a test: sturdy's pending queue and its count of
 * leased connections, and whether every permit is back.
 */
final class AsyncPoolProbe {

    private AsyncPoolProbe() {
    }

    /** @return sturdy's connection manager of the client */
    static SturdyAsyncConnectionManager manager(SturdyHttpAsyncClient client) {
        return client.runtimeForTests().admission();
    }

    /** @return requests waiting in sturdy's pending queue */
    static int pendingRequests(SturdyHttpAsyncClient client) {
        return client.pendingRequests();
    }

    /**
     * Every permit is back, within 3 s: HttpClient's pool (leased, pending), sturdy's pending queue and
     * leased count, calls in flight, retry budget.
     */
    static void assertClean(SturdyHttpAsyncClient client) throws InterruptedException {
        final SturdyAsyncConnectionManager manager = manager(client);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        PoolStats stats = client.poolStats();
        while (System.nanoTime() < end && (stats.getLeased() != 0 || stats.getPending() != 0
                || manager.pendingRequests() != 0 || manager.leasedConnections() != 0
                || client.callsInFlight() != 0 || client.retriesInFlight() != 0)) {
            Thread.sleep(10);
            stats = client.poolStats();
        }
        assertThat(stats.getLeased()).as("leased connections, %s", stats).isZero();
        assertThat(stats.getPending()).as("pending leases, %s", stats).isZero();
        assertThat(manager.pendingRequests()).as("sturdy pending requests").isZero();
        assertThat(manager.leasedConnections()).as("connections sturdy counts as leased").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retry budget slots").isZero();
    }
}
