package dev.sturdy.benchmarks;

import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
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
        final int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        final int calls = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        final int warmupRounds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

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
            final Call[] variants = {
                () -> raw.execute(new HttpGet(uri), Clients.READ_BODY),
                () -> sturdy.execute(new HttpGet(uri), Clients.READ_BODY),
                () -> failsafe.get(failsafeCall),
                r4j::get,
            };

            final int[] current = new int[1];
            final long[] allocated = new long[threads];
            final CyclicBarrier begin = new CyclicBarrier(threads + 1);
            final CyclicBarrier end = new CyclicBarrier(threads + 1);
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                workers[t] = new Thread(() -> {
                    try {
                        while (true) {
                            begin.await();
                            final int v = current[0];
                            if (v < 0) {
                                return;
                            }
                            final long a0 = mx.getCurrentThreadAllocatedBytes();
                            for (int i = 0; i < calls; i++) {
                                if (variants[v].call() != 200) {
                                    throw new IllegalStateException("not 200");
                                }
                            }
                            allocated[id] = mx.getCurrentThreadAllocatedBytes() - a0;
                            end.await();
                        }
                    } catch (Throwable e) {
                        e.printStackTrace();
                        System.exit(1);
                    }
                }, "ab-" + t);
                workers[t].setDaemon(true);
                workers[t].start();
            }

            final Random random = new Random(42);
            final double[][] nanosPerOp = new double[NAMES.length][rounds];
            final double[][] bytesPerOp = new double[NAMES.length][rounds];
            final List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            for (int r = -warmupRounds; r < rounds; r++) {
                Collections.shuffle(order, random);
                for (int v : order) {
                    current[0] = v;
                    final long t0 = System.nanoTime();
                    begin.await();
                    end.await();
                    final long took = System.nanoTime() - t0;
                    if (r >= 0) {
                        nanosPerOp[v][r] = (double) took / calls; // per call, as each thread sees it
                        long bytes = 0;
                        for (long b : allocated) {
                            bytes += b;
                        }
                        bytesPerOp[v][r] = (double) bytes / ((long) calls * threads);
                    }
                }
            }
            current[0] = -1;
            begin.await();

            System.out.printf(Locale.ROOT, "LoopbackInterleaved %s, java %s, %d cpus, %d threads, %d rounds x %d calls per"
                            + " thread and variant (after %d warm-up rounds)%n", LocalDate.now(),
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), threads, rounds,
                    calls, warmupRounds);
            System.out.println();
            System.out.println("| variant | us per call and thread (median) | / raw, paired (median) | 95 % of rounds | B/op (median) | - raw B/op (median, paired) |");
            System.out.println("|---|---:|---:|---|---:|---:|");
            for (int v = 0; v < NAMES.length; v++) {
                final double[] ratio = new double[rounds];
                final double[] extra = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = nanosPerOp[v][r] / nanosPerOp[0][r];
                    extra[r] = bytesPerOp[v][r] - bytesPerOp[0][r];
                }
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.3f .. %.3f | %.0f | %+.0f |%n", NAMES[v],
                        median(nanosPerOp[v]) / 1000, median(ratio), pct(ratio, 0.025), pct(ratio, 0.975),
                        median(bytesPerOp[v]), median(extra));
            }
            raw.close();
            rawForWrappers.close();
            sturdy.close();
        }
    }

    /** One GET of a variant. */
    @FunctionalInterface
    interface Call {
        int call() throws Throwable;
    }

    private static double median(double[] values) {
        return pct(values, 0.5);
    }

    private static double pct(double[] values, double p) {
        final double[] s = values.clone();
        Arrays.sort(s);
        final double pos = p * (s.length - 1);
        final int lo = (int) Math.floor(pos);
        final int hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }
}
