package dev.sturdy.benchmarks;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpAsyncClient;
import dev.sturdy.httpclient5.SturdyHttpAsyncClients;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
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
        final int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        final int calls = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        final int warmupRounds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        try (CannedServer.Handle server = CannedServer.start()) {
            final URI uri = URI.create("http://127.0.0.1:" + server.port + "/");
            final ResiliencePolicy policy = ResiliencePolicy.recommended();
            final CloseableHttpAsyncClient raw = Clients.rawAsync(policy);
            final SturdyHttpAsyncClient sturdy = SturdyHttpAsyncClients.custom(policy).build();
            sturdy.start();
            final CloseableHttpAsyncClient[] variants = {raw, sturdy};

            final int[] current = new int[1];
            final CyclicBarrier begin = new CyclicBarrier(threads + 1);
            final CyclicBarrier end = new CyclicBarrier(threads + 1);
            for (int t = 0; t < threads; t++) {
                final Thread worker = new Thread(() -> {
                    try {
                        while (true) {
                            begin.await();
                            final int v = current[0];
                            if (v < 0) {
                                return;
                            }
                            for (int i = 0; i < calls; i++) {
                                if (Clients.asyncGet(variants[v], uri) != 200) {
                                    throw new IllegalStateException("not 200");
                                }
                            }
                            end.await();
                        }
                    } catch (Throwable e) {
                        e.printStackTrace();
                        System.exit(1);
                    }
                }, "ab-" + t);
                worker.setDaemon(true);
                worker.start();
            }

            final Random random = new Random(42);
            final double[][] nanosPerOp = new double[NAMES.length][rounds];
            final double[][] bytesPerOp = new double[NAMES.length][rounds];
            final List<Integer> order = new ArrayList<>(List.of(0, 1));
            for (int r = -warmupRounds; r < rounds; r++) {
                Collections.shuffle(order, random);
                for (int v : order) {
                    current[0] = v;
                    final long[] ids = mx.getAllThreadIds();
                    final long[] before = mx.getThreadAllocatedBytes(ids);
                    final long t0 = System.nanoTime();
                    begin.await();
                    end.await();
                    final long took = System.nanoTime() - t0;
                    final long[] after = mx.getThreadAllocatedBytes(ids);
                    if (r >= 0) {
                        nanosPerOp[v][r] = (double) took / calls; // per call, as each caller sees it
                        long bytes = 0;
                        for (int i = 0; i < ids.length; i++) {
                            if (before[i] >= 0 && after[i] >= 0) { // -1: the thread ended meanwhile
                                bytes += after[i] - before[i];
                            }
                        }
                        bytesPerOp[v][r] = (double) bytes / ((long) calls * threads);
                    }
                }
            }
            current[0] = -1;
            begin.await();

            System.out.printf(Locale.ROOT, "AsyncLoopbackInterleaved %s, java %s, %d cpus, %d threads, %d rounds x %d"
                            + " calls per thread and variant (after %d warm-up rounds)%n", LocalDate.now(),
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), threads, rounds,
                    calls, warmupRounds);
            System.out.println();
            System.out.println("| variant | us per call and thread (median) | / raw async, paired (median) | 95 % of rounds"
                    + " | B/op, all threads (median) | - raw async B/op (median, paired) |");
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
            raw.close(CloseMode.GRACEFUL);
            sturdy.close(CloseMode.GRACEFUL);
        }
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
