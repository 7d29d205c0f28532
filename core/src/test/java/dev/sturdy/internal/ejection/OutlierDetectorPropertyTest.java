package dev.sturdy.internal.ejection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.Seeds;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.runtime.Counters;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of outcomes, health check results, sweeps and time steps against random policies and
 * groups: the group's ejected share never exceeds {@code max(1, floor(percent x members / 100))}, a pick
 * never lands on an ejected member, "none available" happens only when every member is ejected, and no
 * count (k, consecutive errors, outstanding requests, the {@code ejections_active} gauge) goes negative
 * or drifts from the truth. Seeded: the seed is printed and replayable with {@code -Dsturdy.seed=N}.
 */
class OutlierDetectorPropertyTest {

    private static final FailureClass[] FAILURES = FailureClass.values();

    @Test
    void randomHistoriesKeepEveryInvariant() {
        long seed = Seeds.seed("randomHistoriesKeepEveryInvariant");
        SplittableRandom random = new SplittableRandom(seed);
        long[] seen = new long[3]; // ejections, refusals by the cap, picks that found every member ejected
        for (int scenario = 0; scenario < 300; scenario++) {
            runScenario(seed, scenario, random.split(), seen);
        }
        // The histories must exercise what they check, or the invariants hold vacuously.
        assertThat(seen[0]).as(Seeds.describe(seed, "ejections")).isGreaterThan(1000);
        assertThat(seen[1]).as(Seeds.describe(seed, "picks with the group at its ejection cap")).isGreaterThan(100);
        assertThat(seen[2]).as(Seeds.describe(seed, "picks finding every member ejected")).isGreaterThan(10);
    }

    private static void runScenario(long seed, int scenario, SplittableRandom random, long[] seen) {
        FakeTicker ticker = new FakeTicker();
        Counters counters = new Counters(ticker);
        RecordingListener listener = new RecordingListener();
        long baseSeconds = 1 + random.nextInt(30);
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder()
                .consecutiveErrors(1 + random.nextInt(6))
                .interval(Duration.ofSeconds(1 + random.nextInt(20)))
                .baseEjectionTime(Duration.ofSeconds(baseSeconds))
                .maxEjectionTime(Duration.ofSeconds(baseSeconds + random.nextInt(300)))
                .maxEjectionPercent(random.nextInt(101))
                .gatewayErrorsOnly(random.nextBoolean())
                .build();
        boolean passive = random.nextInt(5) > 0;
        OutlierDetector d = new OutlierDetector(passive ? Optional.of(policy) : Optional.empty(), ticker, counters,
                listener);
        int n = 1 + random.nextInt(random.nextBoolean() ? 8 : 64);
        EndpointGroup.Builder b = EndpointGroup.builder("http://svc" + scenario)
                .loadBalancing(random.nextBoolean() ? EndpointGroup.LoadBalancing.ROUND_ROBIN
                        : EndpointGroup.LoadBalancing.LEAST_OUTSTANDING);
        for (int i = 0; i < n; i++) {
            b.member("http://10.0." + scenario % 250 + "." + i + ":" + (8000 + i));
        }
        EndpointSelector sel = d.group(b.build());
        EndpointState lone = d.endpoint(java.net.URI.create("http://lone" + scenario + ":80"));
        double badShare = random.nextDouble();
        boolean[] bad = new boolean[n];
        for (int i = 0; i < n; i++) {
            bad[i] = random.nextDouble() < badShare;
        }
        int expectedMax = passive ? Math.max(1, policy.maxEjectionPercent() * n / 100) : n;
        String context = "scenario " + scenario + ": " + (passive ? policy : "no breaker") + ", " + n + " members";
        assertThat(sel.maxEjected()).as(Seeds.describe(seed, context)).isEqualTo(expectedMax);

        long tried = 0;
        for (int step = 0; step < 600; step++) {
            int at = step;
            long now = ticker.nanoTime();
            int op = random.nextInt(100);
            if (op < 60) {
                if (random.nextInt(4) == 0) {
                    tried = 0; // a new call
                }
                int picked = sel.select(tried, now);
                int ejectedNow = 0;
                for (int i = 0; i < n; i++) {
                    ejectedNow += sel.member(i).flagged() ? 1 : 0;
                }
                if (ejectedNow == expectedMax && n > 1) {
                    seen[1]++;
                }
                if (picked == EndpointSelector.NONE) {
                    seen[2]++;
                    for (int i = 0; i < n; i++) {
                        if (!d.isEjected(sel.member(i), now)) {
                            fail(Seeds.describe(seed, context + ", step " + at + ": none picked but member " + i
                                    + " is admitted"));
                        }
                    }
                    if (sel.ejectedException(now).ejectedEndpoints().isEmpty()) {
                        fail(Seeds.describe(seed, context + ", step " + at + ": exception names no endpoint"));
                    }
                    tried = 0;
                } else {
                    if (d.isEjected(sel.member(picked), now)) {
                        fail(Seeds.describe(seed, context + ", step " + at + ": picked ejected member " + picked));
                    }
                    if (n > 1 && (tried & (1L << picked)) != 0 && Long.bitCount(tried) < n) {
                        for (int i = 0; i < n; i++) {
                            if ((tried & (1L << i)) == 0 && !d.isEjected(sel.member(i), now)) {
                                fail(Seeds.describe(seed, context + ", step " + at + ": picked tried member " + picked
                                        + " while member " + i + " was untried and admitted"));
                            }
                        }
                    }
                    tried |= 1L << picked;
                    EndpointState s = sel.member(picked);
                    s.requestStarted();
                    outcome(d, s, bad[picked], random);
                    s.requestEnded();
                }
            } else if (op < 70) {
                outcome(d, lone, random.nextBoolean(), random);
            } else if (op < 78) {
                int m = random.nextInt(n);
                if (random.nextBoolean()) {
                    d.healthCheckFailed(sel.member(m), 1 + random.nextInt(3), now + Duration.ofSeconds(10).toNanos());
                } else {
                    d.healthCheckPassed(sel.member(m));
                }
            } else if (op < 83) {
                d.sweep(now);
            } else if (op < 86) {
                d.sweepIfDue(now);
            } else {
                ticker.advanceNanos((long) (random.nextDouble() * 2 * policy.interval().toNanos()));
            }
            checkInvariants(seed, context, at, d, sel, lone, counters, expectedMax);
        }
        seen[0] += listener.ejected.size();
    }

    private static void outcome(OutlierDetector d, EndpointState s, boolean bad, SplittableRandom random) {
        int r = random.nextInt(10);
        if (!bad && r < 8 || bad && r < 2) {
            d.onResponse(s, random.nextBoolean() ? 200 : 400 + random.nextInt(100));
        } else if (r == 9) {
            d.onFailure(s, FAILURES[random.nextInt(FAILURES.length)]);
        } else {
            d.onResponse(s, 500 + random.nextInt(100));
        }
    }

    private static void checkInvariants(long seed, String context, int step, OutlierDetector d, EndpointSelector sel,
            EndpointState lone, Counters counters, int expectedMax) {
        int flagged = 0;
        for (int i = 0; i < sel.size(); i++) {
            EndpointState m = sel.member(i);
            flagged += m.flagged() ? 1 : 0;
            if (m.ejections() < 0 || m.consecutiveErrors() < 0 || m.outstanding() != 0) {
                fail(Seeds.describe(seed, context + ", step " + step + ": member " + i + " has k " + m.ejections() + ", count "
                        + m.consecutiveErrors() + ", outstanding " + m.outstanding()));
            }
        }
        if (flagged > expectedMax) {
            fail(Seeds.describe(seed, context + ", step " + step + ": " + flagged + " members ejected, at most " + expectedMax + " allowed"));
        }
        if (lone.ejections() < 0 || lone.consecutiveErrors() < 0) {
            fail(Seeds.describe(seed, context + ", step " + step + ": lone endpoint has k " + lone.ejections() + ", count "
                    + lone.consecutiveErrors()));
        }
        long total = flagged + (lone.flagged() ? 1 : 0);
        long gauge = counters.get(ResilienceCounter.EJECTIONS_ACTIVE);
        long ejections = counters.get(ResilienceCounter.EJECTIONS_TOTAL);
        if (gauge != total || ejections < total) {
            fail(Seeds.describe(seed, context + ", step " + step + ": ejections_active " + gauge + " and ejections_total " + ejections
                    + " for " + total + " ejected endpoints"));
        }
    }
}
