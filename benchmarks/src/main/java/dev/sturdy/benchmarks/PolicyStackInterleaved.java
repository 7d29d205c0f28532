package dev.sturdy.benchmarks;

import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Failsafe;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.ClientRuntime;
import dev.sturdy.httpclient5.internal.EngineProbe;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The policy-stack comparison of {@link PolicyStackBenchmark} as interleaved blocks in one JVM, for a
 * machine too loaded for separate JMH trials to compare: every round runs one block of each variant in
 * a fresh random order, and each sturdy variant's ratio to Resilience4j is taken per round (paired).
 * Reports wall and thread-CPU ns/op, B/op (thread allocation counter) and, for sturdy, the CPU its
 * deadline-watchdog thread spent per call (on another core: not in the caller's time, but not free).
 * All variants share call sites here, so absolute ns/op are a few ns above JMH's; the ratios are the
 * point. Single caller thread.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.sturdy.benchmarks.PolicyStackInterleaved
 * [rounds] [opsPerBlock] [warmupRounds] [pieces]} (defaults 100 200000 40; {@code pieces} adds
 * sturdy's per-call work one piece at a time).
 */
public final class PolicyStackInterleaved {

    static volatile Object SINK;

    private PolicyStackInterleaved() {
    }

    @FunctionalInterface
    interface Op {
        Object run() throws Throwable;
    }

    /**
     * @param args [rounds] [opsPerBlock] [warmupRounds] [pieces]
     */
    public static void main(String[] args) throws Throwable {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        final int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        final int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        final boolean pieces = args.length > 3 && args[3].equals("pieces");
        final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        final String value = "ok";
        final Supplier<String> supplier = () -> value;
        final ClientRuntime runtime = EngineProbe.runtime(ResiliencePolicy.recommended());
        final EngineProbe probe = new EngineProbe(runtime);
        final FailsafeExecutor<String> failsafe = Failsafe.with(
                RetryPolicy.<String>builder().withMaxRetries(3)
                        .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10)).build(),
                CircuitBreaker.<String>builder().withFailureThreshold(5).withDelay(Duration.ofSeconds(30)).build());
        final CheckedSupplier<String> failsafeSupplier = () -> value;
        final Supplier<String> r4j = Retry.decorateSupplier(
                Retry.of("bench", RetryConfig.custom().maxAttempts(4).build()),
                io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                        io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench", CircuitBreakerConfig.ofDefaults()),
                        supplier));

        final List<String> nameList = new ArrayList<>(List.of("direct", "sturdyEngine", "sturdyCorePieces",
                "failsafeRetryCircuitBreaker", "resilience4jRetryCircuitBreaker"));
        final List<Op> opList = new ArrayList<>(List.of(supplier::get, probe::call, probe::corePieces,
                () -> failsafe.get(failsafeSupplier), r4j::get));
        if (pieces) { // sturdyEngine's per-call work one piece at a time (EngineProbe.piece*)
            nameList.addAll(List.of("piece: in-flight admission", "piece: monotonic clock read", "piece: Call constructed only",
                    "piece: Call + 1 attempt, unwatched", "piece: Call + 1 attempt + watchdog",
                    "piece: reused Call + 1 attempt (registered once)",
                    "piece: ejection check (outlier detector)", "piece: rq_total counter", "piece: retry decision", "piece: 5 thread-local look-ups",
                    "piece: context attribute (reused context)", "piece: context attribute (fresh context)",
                    "piece: fresh context alone"));
            opList.addAll(List.of(probe::pieceAdmission, () -> probe.pieceNanoTime() == 0 ? probe : null, probe::pieceCallConstructed,
                    probe::pieceCallUnwatched, probe::pieceCallWatched, probe::pieceCallReused,
                    probe::pieceEjection, () -> { probe.pieceCounter(); return probe; }, probe::pieceDecide, probe::pieceThreadLocal,
                    probe::pieceContextAttribute, probe::pieceContextAttributeFresh, probe::pieceContextOnly));
        }
        final String[] names = nameList.toArray(new String[0]);
        final Op[] variants = opList.toArray(new Op[0]);
        final int r4jIndex = 4;
        probe.call(); // the watchdog thread starts with the first registered call
        final long[] watchdogIds = watchdogThreads();
        if (watchdogIds.length == 0) {
            throw new IllegalStateException("no sturdy-deadline thread found");
        }

        final double[][] wall = new double[names.length][rounds];
        final double[][] cpu = new double[names.length][rounds];
        final double[][] bytes = new double[names.length][rounds];
        final double[][] watchdogCpu = new double[names.length][rounds];
        final Random random = new Random(42);
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            order.add(i);
        }
        Object sink = null;
        for (int r = -warmupRounds; r < rounds; r++) {
            Collections.shuffle(order, random);
            for (int v : order) {
                final Op op = variants[v];
                final long w0 = cpuOf(mx, watchdogIds);
                final long a0 = mx.getCurrentThreadAllocatedBytes();
                final long c0 = mx.getCurrentThreadCpuTime();
                final long t0 = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    sink = op.run();
                }
                final long t1 = System.nanoTime();
                final long c1 = mx.getCurrentThreadCpuTime();
                final long a1 = mx.getCurrentThreadAllocatedBytes();
                final long w1 = cpuOf(mx, watchdogIds);
                if (r >= 0) {
                    wall[v][r] = (double) (t1 - t0) / ops;
                    cpu[v][r] = (double) (c1 - c0) / ops;
                    bytes[v][r] = (double) (a1 - a0) / ops;
                    watchdogCpu[v][r] = (double) (w1 - w0) / ops;
                }
            }
        }
        SINK = sink; // keep the results observable
        runtime.close();

        System.out.printf(Locale.ROOT, "PolicyStackInterleaved %s, java %s, %d cpus, %d rounds x %d ops per variant"
                        + " (after %d warm-up rounds), 1 thread%n", LocalDate.now(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), rounds, ops, warmupRounds);
        System.out.println();
        System.out.println("| variant | wall ns/op (median) | CPU ns/op (median) | wall / resilience4j, paired (median) | 95 % of rounds | B/op | watchdog-thread CPU ns/op |");
        System.out.println("|---|---:|---:|---:|---|---:|---:|");
        for (int v = 0; v < names.length; v++) {
            final double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = wall[v][r] / wall[r4jIndex][r];
            }
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.3f | %.3f .. %.3f | %.0f | %.1f |%n", names[v],
                    pct(wall[v], 0.5), pct(cpu[v], 0.5), pct(ratio, 0.5), pct(ratio, 0.025), pct(ratio, 0.975),
                    pct(bytes[v], 0.5), pct(watchdogCpu[v], 0.5));
        }
    }

    private static long[] watchdogThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sturdy-deadline-"))
                .mapToLong(Thread::getId).toArray();
    }

    private static long cpuOf(com.sun.management.ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            final long c = mx.getThreadCpuTime(id);
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }

    static double pct(double[] values, double p) {
        final double[] s = values.clone();
        Arrays.sort(s);
        final double pos = p * (s.length - 1);
        final int lo = (int) Math.floor(pos);
        final int hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }
}
