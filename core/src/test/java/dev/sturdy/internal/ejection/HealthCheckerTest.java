package dev.sturdy.internal.ejection;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.internal.runtime.Counters;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {

    private static final URI M0 = URI.create("http://127.0.0.1:8081");
    private static final URI M1 = URI.create("http://127.0.0.1:8082");

    private final FakeTicker ticker = new FakeTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final Counters counters = new Counters(ticker);
    private final RecordingListener listener = new RecordingListener();
    private final FakeProbe probe = new FakeProbe();
    private final List<HealthChecker> checkers = new ArrayList<>();

    /** Answers each member as told: a status, a failure, nothing (hangs), or a throw. */
    static final class FakeProbe implements HealthProbe {
        final Map<Object, Function<Object, CompletionStage<Integer>>> behaviour = new ConcurrentHashMap<>();
        final List<CompletableFuture<Integer>> pending = new ArrayList<>();
        final List<String> paths = new ArrayList<>();
        int probes;

        void answer(URI member, int status) {
            behaviour.put(member, m -> CompletableFuture.completedFuture(status));
        }

        void refuse(URI member) {
            behaviour.put(member, m -> CompletableFuture.failedFuture(new IOException("Connection refused")));
        }

        void hang(URI member) {
            behaviour.put(member, m -> {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                pending.add(f);
                return f;
            });
        }

        @Override
        public CompletionStage<Integer> probe(Object member, HealthCheckPolicy policy) {
            probes++;
            paths.add(policy.path());
            return behaviour.getOrDefault(member, m -> CompletableFuture.completedFuture(200)).apply(member);
        }
    }

    @AfterEach
    void closeCheckers() {
        checkers.forEach(HealthChecker::close);
    }

    private OutlierDetector detector() {
        return new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().maxEjectionPercent(100).build()), ticker,
                counters, listener);
    }

    private HealthChecker start(OutlierDetector d, EndpointSelector sel, HealthCheckPolicy policy) {
        HealthChecker checker = new HealthChecker(d, sel, policy, probe, scheduler);
        checkers.add(checker);
        checker.start();
        scheduler.runDue();
        return checker;
    }

    private static EndpointGroup group(HealthCheckPolicy policy, URI... members) {
        EndpointGroup.Builder b = EndpointGroup.builder("http://orders").healthCheck(policy);
        for (URI m : members) {
            b.member(m);
        }
        return b.build();
    }

    private boolean ejected(OutlierDetector d, EndpointState s) {
        return d.isEjected(s, ticker.nanoTime());
    }

    @Test
    void ejectsAMemberAfterUnhealthyThresholdFailedProbesInARow() {
        HealthCheckPolicy policy = HealthCheckPolicy.defaults(); // /health, 200-399, every 10 s, 1 up, 2 down
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0, M1));
        probe.answer(M1, 404);

        start(d, sel, policy);                // round 1 at once: one failure
        assertThat(ejected(d, sel.member(1))).isFalse();
        scheduler.advance(ofSeconds(10));     // round 2: two failures

        assertThat(ejected(d, sel.member(1))).isTrue();
        assertThat(ejected(d, sel.member(0))).isFalse();
        assertThat(listener.ejected).containsExactly(new EndpointEjectedEvent("http://127.0.0.1:8082",
                "http://orders:80", EndpointEjectedEvent.HEALTH_CHECK, 2, 0, ofSeconds(10),
                FakeTicker.at(ofSeconds(20))));
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
        assertThat(probe.probes).isEqualTo(4);
        assertThat(probe.paths).containsOnly("/health");
        for (int i = 0; i < 20; i++) {
            assertThat(sel.select(0, ticker.nanoTime())).isZero();
        }
    }

    @Test
    void aHealthEjectionLastsUntilAProbePassesHoweverLongThatTakes() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().healthyThreshold(2).build();
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0, M1));
        probe.refuse(M1);
        start(d, sel, policy);
        scheduler.advance(ofSeconds(10));
        assertThat(ejected(d, sel.member(1))).isTrue();

        scheduler.advance(Duration.ofHours(1));
        d.sweep(ticker.nanoTime());
        assertThat(ejected(d, sel.member(1))).isTrue();
        assertThat(sel.ejectedException(ticker.nanoTime()).getMessage()).isNotEmpty();

        probe.answer(M1, 204);
        scheduler.advance(ofSeconds(10));     // one pass: healthyThreshold is 2
        assertThat(ejected(d, sel.member(1))).isTrue();
        scheduler.advance(ofSeconds(10));     // two passes in a row

        assertThat(ejected(d, sel.member(1))).isFalse();
        assertThat(listener.lastRestored().reason()).isEqualTo(EndpointRestoredEvent.HEALTH_CHECK_PASSED);
        assertThat(listener.lastRestored().ejectedFor()).isEqualTo(Duration.ofHours(1).plusSeconds(20));
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
    }

    @Test
    void aHealthPathAnswering404EjectsOnlyIfTheExpectedStatusesSaySo() {
        HealthCheckPolicy strict = HealthCheckPolicy.defaults();
        HealthCheckPolicy lenient = HealthCheckPolicy.builder().expectedStatuses(200, 404).build();
        probe.answer(M0, 404);

        OutlierDetector d1 = detector();
        EndpointSelector strictGroup = d1.group(group(strict, M0));
        start(d1, strictGroup, strict);
        scheduler.advance(ofSeconds(10));
        assertThat(ejected(d1, strictGroup.member(0))).isTrue();

        OutlierDetector d2 = detector();
        EndpointSelector lenientGroup = d2.group(group(lenient, M0));
        start(d2, lenientGroup, lenient);
        scheduler.advance(ofSeconds(60));
        assertThat(ejected(d2, lenientGroup.member(0))).isFalse();
    }

    @Test
    void aProbeSlowerThanTheTimeoutFailsAndIsCancelledAndNoSecondOneOverlapsIt() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().timeout(ofSeconds(2)).unhealthyThreshold(1).build();
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0, M1));
        probe.hang(M1);
        HealthChecker checker = start(d, sel, policy);

        assertThat(checker.probing(1)).isTrue();
        scheduler.advance(ofSeconds(2).minusNanos(1));
        assertThat(ejected(d, sel.member(1))).isFalse();
        scheduler.advance(Duration.ofNanos(1));

        assertThat(ejected(d, sel.member(1))).isTrue();
        assertThat(probe.pending).hasSize(1);
        assertThat(probe.pending.get(0)).isCancelled();
        assertThat(checker.probing(1)).isFalse();

        probe.pending.get(0).complete(200); // too late: ignored (and already cancelled)
        assertThat(ejected(d, sel.member(1))).isTrue();
    }

    @Test
    void aProbeThatThrowsOrReturnsNullFails() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().unhealthyThreshold(1).build();
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0, M1));
        probe.behaviour.put(M0, m -> {
            throw new IllegalStateException("no connection manager");
        });
        probe.behaviour.put(M1, m -> null);

        start(d, sel, policy);

        assertThat(ejected(d, sel.member(0))).isTrue();
        assertThat(ejected(d, sel.member(1))).isTrue();
        assertThat(sel.select(0, ticker.nanoTime())).isEqualTo(EndpointSelector.NONE);
    }

    @Test
    void aPassingProbeEndsAnEjectionOnErrorsEarlyButKeepsTheProbation() {
        HealthCheckPolicy policy = HealthCheckPolicy.defaults();
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0, M1));
        start(d, sel, policy);                // t = 0: both pass
        scheduler.advance(ofSeconds(1));
        for (int i = 0; i < 5; i++) {
            d.onResponse(sel.member(1), 503); // the API fails, the health path says 200
        }
        assertThat(ejected(d, sel.member(1))).isTrue();

        scheduler.advance(ofSeconds(9));      // t = 10: a probe passes

        assertThat(ejected(d, sel.member(1))).isFalse();
        assertThat(listener.lastRestored()).isEqualTo(new EndpointRestoredEvent("http://127.0.0.1:8082",
                "http://orders:80", EndpointRestoredEvent.HEALTH_CHECK_PASSED, ofSeconds(9)));
        d.onResponse(sel.member(1), 503);     // on probation: one error ejects for 2 x base
        assertThat(listener.lastEjected().duration()).isEqualTo(ofSeconds(60));
    }

    @Test
    void healthEjectionsRespectMaxEjectionPercent() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().unhealthyThreshold(1).build();
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.builder().maxEjectionPercent(50).build()),
                ticker, counters, listener);
        EndpointGroup g = EndpointGroup.builder("http://orders").healthCheck(policy)
                .members("http://127.0.0.1:8081", "http://127.0.0.1:8082", "http://127.0.0.1:8083",
                        "http://127.0.0.1:8084").build();
        EndpointSelector sel = d.group(g);
        for (int i = 0; i < 3; i++) {
            probe.answer(URI.create("http://127.0.0.1:" + (8081 + i)), 503);
        }

        start(d, sel, policy);
        for (int round = 0; round < 10; round++) {
            int ejected = 0;
            for (int i = 0; i < 4; i++) {
                ejected += ejected(d, sel.member(i)) ? 1 : 0;
            }
            assertThat(ejected).isEqualTo(2);
            assertThat(ejected(d, sel.member(3))).isFalse();
            scheduler.advance(ofSeconds(10));
        }
    }

    @Test
    void theFailFastMessageSaysAHealthEjectedMemberWaitsForAPassingProbe() {
        HealthCheckPolicy policy = HealthCheckPolicy.defaults();
        OutlierDetector d = new OutlierDetector(Optional.empty(), ticker, counters, listener);
        EndpointSelector sel = d.group(group(policy, M0));
        probe.refuse(M0);
        start(d, sel, policy);
        scheduler.advance(ofSeconds(10));

        assertThat(sel.select(0, ticker.nanoTime())).isEqualTo(EndpointSelector.NONE);
        assertThat(sel.ejectedException(ticker.nanoTime())).hasMessage("http://127.0.0.1:8081, the only member of "
                + "http://orders:80, is ejected until a health check passes, next at 2026-11-23T12:00:20Z "
                + "(2 failed health checks)");
    }

    @Test
    void closeStopsTheRoundsCancelsProbesInFlightAndIgnoresLateResults() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().unhealthyThreshold(1).build();
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0, M1));
        probe.hang(M0);
        probe.hang(M1);
        HealthChecker checker = start(d, sel, policy);
        assertThat(probe.pending).hasSize(2);

        checker.close();
        checker.close();

        assertThat(checker.isClosed()).isTrue();
        assertThat(probe.pending).allSatisfy(f -> assertThat(f).isCancelled());
        assertThat(scheduler.pending()).isZero();
        int probes = probe.probes;
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(probe.probes).isEqualTo(probes);
        assertThat(listener.ejected).isEmpty();
        checker.start(); // after close: nothing
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(probe.probes).isEqualTo(probes);
    }

    @Test
    void aShutDownSchedulerEndsProbingQuietly() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().unhealthyThreshold(1).build();
        OutlierDetector d = detector();
        EndpointSelector sel = d.group(group(policy, M0));
        HealthChecker checker = new HealthChecker(d, sel, policy, probe, scheduler);
        checkers.add(checker);
        scheduler.shutdown();

        checker.runOnce();

        assertThat(probe.probes).isZero();
        assertThat(ejected(d, sel.member(0))).isFalse();
    }
}
