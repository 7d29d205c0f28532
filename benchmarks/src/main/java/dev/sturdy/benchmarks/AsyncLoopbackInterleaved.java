package dev.sturdy.benchmarks;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpAsyncClient;
import dev.sturdy.httpclient5.SturdyHttpAsyncClients;
import java.net.URI;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.io.CloseMode;

/**
 * Interleaved A/B blocks for the async wall-time ratio (goal: sturdy async / raw async &lt;= 1.05), in the
 * style of {@link LoopbackInterleaved}: raw HttpClient 5 async ({@link Clients#rawAsync}) and
 * {@code SturdyHttpAsyncClients.custom(recommended())}, both alive in one JVM against one
 * {@link CannedServer} process. Each round runs one block of {@code calls} GETs per caller thread for
 * each client, in a fresh random order; the ratio sturdy / raw is taken per round (paired), so load
 * changes between rounds cancel out. Reports the median ratio with the 2.5 / 97.5 % percentiles of the
 * per-round ratios.
 *
 * <p>B/op counts the allocations of every thread of the JVM during the block (the callers, both clients'
 * I/O reactor threads, sturdy's watchdog and timer), from {@code com.sun.management.ThreadMXBean}: an
 * async call does much of its work on the reactor threads, so the caller's own counter would miss it.
 * The idle client's threads allocate almost nothing meanwhile.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.sturdy.benchmarks.AsyncLoopbackInterleaved
 * [threads] [rounds] [callsPerBlock] [warmupRounds]} (defaults 1 60 1000 30).
 */
public final class AsyncLoopbackInterleaved {

    private static final String[] NAMES = {"raw async", "sturdy async"};

    private AsyncLoopbackInterleaved() {
    }

    /**
     * @param args [threads] [rounds] [callsPerBlock] [warmupRounds]
     */
    public static void main(String[] args) throws Exception {
        final InterleavedRounds.Settings settings = InterleavedRounds.Settings.parse(args);

        try (CannedServer.Handle server = CannedServer.start()) {
            final URI uri = URI.create("http://127.0.0.1:" + server.port + "/");
            final ResiliencePolicy policy = ResiliencePolicy.recommended();
            final CloseableHttpAsyncClient raw = Clients.rawAsync(policy);
            final SturdyHttpAsyncClient sturdy = SturdyHttpAsyncClients.custom(policy).build();
            sturdy.start();
            final InterleavedRounds.Call[] variants = {
                () -> Clients.asyncGet(raw, uri),
                () -> Clients.asyncGet(sturdy, uri),
            };

            InterleavedRounds.run(settings, "AsyncLoopbackInterleaved",
                    "| variant | us per call and thread (median) | / raw async, paired (median) | 95 % of rounds"
                            + " | B/op, all threads (median) | - raw async B/op (median, paired) |",
                    NAMES, variants, InterleavedRounds.Allocations.ALL_THREADS);
            raw.close(CloseMode.GRACEFUL);
            sturdy.close(CloseMode.GRACEFUL);
        }
    }
}
