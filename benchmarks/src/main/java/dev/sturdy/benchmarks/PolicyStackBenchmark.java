package dev.sturdy.benchmarks;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.ClientRuntime;
import dev.sturdy.httpclient5.internal.EngineProbe;
import dev.sturdy.internal.retry.RetryDecision;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * The price of the policy machinery on a trivial call that succeeds the first time (breaker closed),
 * every variant in one JMH run so they are compared side by side:
 * <ul>
 *   <li>{@code direct}: the trivial supplier alone (the floor);
 *   <li>{@code sturdyEngine}: one call through sturdy's real classic handlers ({@code CallHandler},
 *       {@code AttemptHandler}, {@code DispatchMarker}) over a stub chain whose transport answers 200,
 *       inside the body hand-over bracket of {@code SturdyHttpClient.execute(request, handler)}: in-flight
 *       admission, a {@code Call} registered with the deadline watchdog, {@code rq_total}, the retry
 *       decision; one reused HttpClientContext;
 *   <li>{@code sturdyEngineFreshContext}: the same with a fresh HttpClientContext and scope per call as
 *       HttpClient makes them; {@code freshContextBaseline} is that context and scope alone (raw
 *       HttpClient pays it too), so the difference is what sturdy's context attribute costs;
 *   <li>{@code sturdyCorePieces}: the same per-call work from the core pieces only (budget tracker,
 *       a real {@code Call} + watchdog registration, the outlier detector's check and bookkeeping,
 *       counters, {@code RetryDecider.decide}): no handlers, no thread-local, no context;
 *   <li>{@code failsafeRetryCircuitBreaker}: {@code Failsafe.with(retryPolicy, circuitBreaker).get(supplier)}
 *       with the executor built once;
 *   <li>{@code resilience4jRetryCircuitBreaker}: {@code Retry.decorateSupplier(retry,
 *       CircuitBreaker.decorateSupplier(breaker, supplier))} built once.
 * </ul>
 * {@code recommended()} has a circuit breaker, so {@code sturdyEngine} includes the ejection check of
 * each attempt. A new per-call mechanism in the handlers is measured by {@code sturdyEngine} without
 * change; add it to {@code EngineProbe.corePieces()} too. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class PolicyStackBenchmark {

    /** Shared by every thread, as one client's runtime is. */
    @State(Scope.Benchmark)
    public static class SturdyRuntime {
        ClientRuntime runtime;

        @Setup(Level.Trial)
        public void start() {
            runtime = EngineProbe.runtime(ResiliencePolicy.recommended());
        }

        @TearDown(Level.Trial)
        public void stop() {
            runtime.close();
        }
    }

    private String value;
    private Supplier<String> supplier;
    private EngineProbe probe;
    private FailsafeExecutor<String> failsafe;
    private CheckedSupplier<String> failsafeSupplier;
    private Supplier<String> resilience4j;

    @Setup(Level.Trial)
    public void setUp(SturdyRuntime sturdy) {
        value = "ok";
        supplier = () -> value;
        probe = new EngineProbe(sturdy.runtime);

        // the same intent as sturdy's recommended(): 3 retries with backoff, breaker after 5 failures
        final RetryPolicy<String> retryPolicy = RetryPolicy.<String>builder()
                .withMaxRetries(3)
                .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .build();
        final CircuitBreaker<String> breaker = CircuitBreaker.<String>builder()
                .withFailureThreshold(5)
                .withDelay(Duration.ofSeconds(30))
                .build();
        failsafe = Failsafe.with(retryPolicy, breaker);
        failsafeSupplier = () -> value;

        final Retry retry = Retry.of("bench", RetryConfig.custom().maxAttempts(4).build());
        final io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker =
                io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench", CircuitBreakerConfig.ofDefaults());
        resilience4j = Retry.decorateSupplier(retry,
                io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(r4jBreaker, supplier));
    }

    @Benchmark
    public String direct() {
        return supplier.get();
    }

    @Benchmark
    public int sturdyEngine() throws Exception {
        return probe.call();
    }

    @Benchmark
    public int sturdyEngineFreshContext() throws Exception {
        return probe.callFreshContext();
    }

    @Benchmark
    public Object freshContextBaseline() {
        return probe.freshContextOnly();
    }

    @Benchmark
    public RetryDecision sturdyCorePieces() {
        return probe.corePieces();
    }

    @Benchmark
    public String failsafeRetryCircuitBreaker() {
        return failsafe.get(failsafeSupplier);
    }

    @Benchmark
    public String resilience4jRetryCircuitBreaker() {
        return resilience4j.get();
    }
}
