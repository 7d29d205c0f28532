package dev.sturdy.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;

/**
 * The interleaved A/B loop of {@link LoopbackInterleaved} and {@link AsyncLoopbackInterleaved}: worker
 * threads run one block of {@code calls} calls per variant and round, in a fresh random order each round
 * (seed 42); each variant's time and B/op are then paired with variant 0's of the same round, and the
 * medians and 2.5 / 97.5 % percentiles are printed as a Markdown table.
 */
final class InterleavedRounds {

    /** One call of a variant; returns the HTTP status, which must be 200. */
    @FunctionalInterface
    interface Call {
        int call() throws Throwable;
    }

    /** Where B/op is counted. */
    enum Allocations {
        /** Each worker thread's own allocations during its block. */
        WORKER_THREADS,
        /** Every thread of the JVM, read by the driving thread around the block. */
        ALL_THREADS
    }

    /** The command line: {@code [threads] [rounds] [callsPerBlock] [warmupRounds]} (defaults 1 60 1000 30). */
    record Settings(int threads, int rounds, int calls, int warmupRounds) {

        static Settings parse(String[] args) {
            return new Settings(args.length > 0 ? Integer.parseInt(args[0]) : 1,
                    args.length > 1 ? Integer.parseInt(args[1]) : 60,
                    args.length > 2 ? Integer.parseInt(args[2]) : 1000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 30);
        }
    }

    private InterleavedRounds() {
    }

    /**
     * Runs the warm-up and measured rounds and prints the report.
     *
     * @param program     the first word of the report's title line
     * @param tableHeader the table's column header line
     * @param names       the variants' names; variant 0 is the baseline of the paired columns
     */
    static void run(Settings settings, String program, String tableHeader, String[] names, Call[] variants,
            Allocations allocations) throws Exception {
        final int threads = settings.threads();
        final int rounds = settings.rounds();
        final int calls = settings.calls();
        final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final boolean perWorker = allocations == Allocations.WORKER_THREADS;

        final int[] current = new int[1];
        final long[] allocated = new long[threads];
        final CyclicBarrier begin = new CyclicBarrier(threads + 1);
        final CyclicBarrier end = new CyclicBarrier(threads + 1);
        for (int t = 0; t < threads; t++) {
            final int id = t;
            final Thread worker = new Thread(() -> {
                try {
                    while (true) {
                        begin.await();
                        final int v = current[0];
                        if (v < 0) {
                            return;
                        }
                        final long a0 = perWorker ? mx.getCurrentThreadAllocatedBytes() : 0;
                        for (int i = 0; i < calls; i++) {
                            if (variants[v].call() != 200) {
                                throw new IllegalStateException("not 200");
                            }
                        }
                        if (perWorker) {
                            allocated[id] = mx.getCurrentThreadAllocatedBytes() - a0;
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
        final double[][] nanosPerOp = new double[names.length][rounds];
        final double[][] bytesPerOp = new double[names.length][rounds];
        final List<Integer> order = new ArrayList<>();
        for (int v = 0; v < names.length; v++) {
            order.add(v);
        }
        for (int r = -settings.warmupRounds(); r < rounds; r++) {
            Collections.shuffle(order, random);
            for (int v : order) {
                current[0] = v;
                final long[] ids = perWorker ? null : mx.getAllThreadIds();
                final long[] before = perWorker ? null : mx.getThreadAllocatedBytes(ids);
                final long t0 = System.nanoTime();
                begin.await();
                end.await();
                final long took = System.nanoTime() - t0;
                final long[] after = perWorker ? null : mx.getThreadAllocatedBytes(ids);
                if (r >= 0) {
                    nanosPerOp[v][r] = (double) took / calls; // per call, as each thread sees it
                    long bytes = 0;
                    if (perWorker) {
                        for (long b : allocated) {
                            bytes += b;
                        }
                    } else {
                        for (int i = 0; i < ids.length; i++) {
                            if (before[i] >= 0 && after[i] >= 0) { // -1: the thread ended meanwhile
                                bytes += after[i] - before[i];
                            }
                        }
                    }
                    bytesPerOp[v][r] = (double) bytes / ((long) calls * threads);
                }
            }
        }
        current[0] = -1;
        begin.await();

        System.out.printf(Locale.ROOT, "%s %s, java %s, %d cpus, %d threads, %d rounds x %d calls per thread and"
                        + " variant (after %d warm-up rounds)%n", program, LocalDate.now(),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), threads, rounds,
                calls, settings.warmupRounds());
        System.out.println();
        System.out.println(tableHeader);
        System.out.println("|---|---:|---:|---|---:|---:|");
        for (int v = 0; v < names.length; v++) {
            final double[] ratio = new double[rounds];
            final double[] extra = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = nanosPerOp[v][r] / nanosPerOp[0][r];
                extra[r] = bytesPerOp[v][r] - bytesPerOp[0][r];
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.3f .. %.3f | %.0f | %+.0f |%n", names[v],
                    median(nanosPerOp[v]) / 1000, median(ratio), pct(ratio, 0.025), pct(ratio, 0.975),
                    median(bytesPerOp[v]), median(extra));
        }
    }

    private static double median(double[] values) {
        return pct(values, 0.5);
    }

    private static double pct(double[] values, double p) {
        return PolicyStackInterleaved.pct(values, p);
    }
}
