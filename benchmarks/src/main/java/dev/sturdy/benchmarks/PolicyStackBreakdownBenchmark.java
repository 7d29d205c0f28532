package dev.sturdy.benchmarks;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.ClientRuntime;
import dev.sturdy.httpclient5.internal.EngineProbe;
import dev.sturdy.internal.retry.RetryDecision;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where {@link PolicyStackBenchmark#sturdyEngine()}'s time and bytes go: each piece of sturdy's per-call
 * work on the success path alone (see {@code EngineProbe}'s {@code piece*} methods). A diagnostic for
 * the figures of the policy-stack goal, not a goal itself. Run with {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@Threads(1)
public class PolicyStackBreakdownBenchmark {

    private ClientRuntime runtime;
    private EngineProbe probe;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = EngineProbe.runtime(ResiliencePolicy.recommended());
        probe = new EngineProbe(runtime);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
    }

    @Benchmark
    public boolean admission() {
        return probe.pieceAdmission();
    }

    @Benchmark
    public long nanoTime() {
        return probe.pieceNanoTime();
    }

    @Benchmark
    public Object callConstructed() {
        return probe.pieceCallConstructed();
    }

    @Benchmark
    public Object callUnwatched() {
        return probe.pieceCallUnwatched();
    }

    @Benchmark
    public Object callWatched() {
        return probe.pieceCallWatched();
    }

    @Benchmark
    public Object callReused() {
        return probe.pieceCallReused();
    }

    @Benchmark
    public Object ejection() {
        return probe.pieceEjection();
    }

    @Benchmark
    public void counter() {
        probe.pieceCounter();
    }

    @Benchmark
    public RetryDecision decide() {
        return probe.pieceDecide();
    }

    @Benchmark
    public Object threadLocal() {
        return probe.pieceThreadLocal();
    }

    @Benchmark
    public Object contextAttribute() {
        return probe.pieceContextAttribute();
    }

    @Benchmark
    public Object contextAttributeFresh() {
        return probe.pieceContextAttributeFresh();
    }

    @Benchmark
    public Object contextOnly() {
        return probe.pieceContextOnly();
    }
}
