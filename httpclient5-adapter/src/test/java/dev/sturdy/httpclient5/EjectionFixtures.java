package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.hc.core5.pool.PoolStats;

/** Small helpers shared by the ejection, endpoint group and health check tests. */
final class EjectionFixtures {

    private EjectionFixtures() {
    }

    /**
     * Every permit is back (polled for up to 3 s): no leased connection, no pending lease, no call and
     * no retry in flight.
     */
    static void assertClean(SturdyHttpClient client) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        PoolStats stats = client.poolStats();
        while (System.nanoTime() - end < 0 && (stats.getLeased() != 0 || stats.getPending() != 0
                || client.pendingRequests() != 0 || client.callsInFlight() != 0 || client.retriesInFlight() != 0)) {
            Thread.sleep(10);
            stats = client.poolStats();
        }
        assertThat(stats.getLeased()).as("leased connections, %s", stats).isZero();
        assertThat(stats.getPending()).as("pending leases, %s", stats).isZero();
        assertThat(client.pendingRequests()).as("sturdy pending requests").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retry budget slots").isZero();
    }

    /**
     * Polls {@code condition} every 10 ms until it holds or {@code timeout} passes.
     *
     * @throws AssertionError with {@code what} when it never held
     */
    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) throws InterruptedException {
        final long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end >= 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what.get());
            }
            Thread.sleep(10);
        }
    }

    /** @return the names of the live threads whose name starts with {@code prefix} */
    static List<String> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }
}
