package dev.sturdy.benchmarks;

import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * Interleaved A/B blocks for the loopback wall-time ratio, which JMH's separate trials cannot resolve
 * below about 5 % on a shared 2-core machine. The same four variants as {@link LoopbackGetBenchmark}
 * against the same {@link CannedServer} process, all alive in one JVM: each round runs one block of
 * {@code calls} GETs per thread for every variant, in a fresh random order, and the ratio of each
 * wrapped variant to raw is taken per round (paired), so load changes between rounds cancel out. Reports
 * the median ratio with the 2.5 / 97.5 % percentiles of the per-round ratios, and B/op from the worker
 * threads' allocation counters ({@code com.sun.management.ThreadMXBean}).
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.sturdy.benchmarks.LoopbackInterleaved
 * [threads] [rounds] [callsPerBlock] [warmupRounds]} (defaults 1 60 1000 30).
 */
public final class LoopbackInterleaved {

    private static final String[] NAMES = {"raw", "sturdy", "failsafe", "resilience4j"};

    private LoopbackInterleaved() {
    }

    /**
     * @param args [threads] [rounds] [callsPerBlock] [warmupRounds]
     */
    public static void main(String[] args) throws Exception {
        final InterleavedRounds.Settings settings = InterleavedRounds.Settings.parse(args);

        try (CannedServer.Handle server = CannedServer.start()) {
            final URI uri = URI.create("http://127.0.0.1:" + server.port + "/");
            final ResiliencePolicy policy = ResiliencePolicy.recommended();
            final CloseableHttpClient raw = Clients.raw(policy);
            final CloseableHttpClient rawForWrappers = Clients.raw(policy);
            final SturdyHttpClient sturdy = SturdyHttpClients.custom(policy).build();
            final FailsafeExecutor<Integer> failsafe = Clients.failsafe(Duration.ofSeconds(1), Duration.ofSeconds(10));
            final CheckedSupplier<Integer> failsafeCall = () -> rawForWrappers.execute(new HttpGet(uri), Clients.READ_BODY);
            final io.github.resilience4j.core.functions.CheckedSupplier<Integer> r4j =
                    Clients.resilience4j(() -> rawForWrappers.execute(new HttpGet(uri), Clients.READ_BODY));
            final InterleavedRounds.Call[] variants = {
                () -> raw.execute(new HttpGet(uri), Clients.READ_BODY),
                () -> sturdy.execute(new HttpGet(uri), Clients.READ_BODY),
                () -> failsafe.get(failsafeCall),
                r4j::get,
            };

            InterleavedRounds.run(settings, "LoopbackInterleaved",
                    "| variant | us per call and thread (median) | / raw, paired (median) | 95 % of rounds | B/op (median) | - raw B/op (median, paired) |",
                    NAMES, variants, InterleavedRounds.Allocations.WORKER_THREADS);
            raw.close();
            rawForWrappers.close();
            sturdy.close();
        }
    }
}
