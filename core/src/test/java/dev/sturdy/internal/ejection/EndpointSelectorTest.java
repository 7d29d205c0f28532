package dev.sturdy.internal.ejection;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.EndpointGroup;
import dev.sturdy.EndpointGroup.LoadBalancing;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.internal.runtime.Counters;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointSelectorTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Counters counters = new Counters(ticker);
    private final RecordingListener listener = new RecordingListener();

    private OutlierDetector detector(CircuitBreakerPolicy policy) {
        return new OutlierDetector(Optional.of(policy), ticker, counters, listener);
    }

    private static EndpointGroup group(int members, LoadBalancing lb) {
        EndpointGroup.Builder b = EndpointGroup.builder("http://orders").loadBalancing(lb);
        for (int i = 0; i < members; i++) {
            b.member("http://127.0.0.1:" + (8081 + i));
        }
        return b.build();
    }

    private long now() {
        return ticker.nanoTime();
    }

    private static void eject(OutlierDetector d, EndpointState s) {
        for (int i = 0; i < 5; i++) {
            d.onResponse(s, 503);
        }
    }

    @Test
    void roundRobinTakesEachMemberInTurn() {
        EndpointSelector sel = detector(CircuitBreakerPolicy.defaults()).group(group(3, LoadBalancing.ROUND_ROBIN));
        int[] picks = new int[9];

        for (int i = 0; i < picks.length; i++) {
            picks[i] = sel.select(0, now());
        }

        assertThat(picks).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2);
        assertThat(sel.key(1)).isEqualTo(URI.create("http://127.0.0.1:8082"));
    }

    @Test
    void roundRobinSpreadsEvenlyOverTheMembersThatAreNotEjected() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(100).build());
        EndpointSelector sel = d.group(group(4, LoadBalancing.ROUND_ROBIN));
        eject(d, sel.member(1));
        int[] count = new int[4];

        for (int i = 0; i < 300; i++) {
            count[sel.select(0, now())]++;
        }

        assertThat(count).containsExactly(100, 0, 100, 100);
    }

    @Test
    void leastOutstandingPicksTheMemberWithFewestRequestsInFlight() {
        EndpointSelector sel = detector(CircuitBreakerPolicy.defaults()).group(group(3, LoadBalancing.LEAST_OUTSTANDING));
        sel.member(0).requestStarted();
        sel.member(0).requestStarted();
        sel.member(2).requestStarted();

        assertThat(sel.select(0, now())).isEqualTo(1);
        sel.member(1).requestStarted();
        sel.member(1).requestStarted();
        assertThat(sel.select(0, now())).isEqualTo(2);
    }

    @Test
    void leastOutstandingBalancesHeldRequestsAndBreaksTiesRoundRobin() {
        EndpointSelector sel = detector(CircuitBreakerPolicy.defaults()).group(group(3, LoadBalancing.LEAST_OUTSTANDING));

        for (int i = 0; i < 30; i++) {
            sel.member(sel.select(0, now())).requestStarted(); // held: never ended
        }
        assertThat(new int[] {sel.member(0).outstanding(), sel.member(1).outstanding(), sel.member(2).outstanding()})
                .containsExactly(10, 10, 10);

        int[] count = new int[3];
        for (int i = 0; i < 300; i++) {
            int picked = sel.select(0, now());
            count[picked]++;
            sel.member(picked).requestStarted();
            sel.member(picked).requestEnded(); // all tied again
        }
        assertThat(count).containsExactly(100, 100, 100);
    }

    @Test
    void leastOutstandingSendsNothingToASlowMemberWhileOthersAreFree() {
        EndpointSelector sel = detector(CircuitBreakerPolicy.defaults()).group(group(3, LoadBalancing.LEAST_OUTSTANDING));
        for (int i = 0; i < 5; i++) {
            sel.member(2).requestStarted(); // a slow member holds five requests
        }
        int[] count = new int[3];

        for (int i = 0; i < 100; i++) {
            int picked = sel.select(0, now());
            count[picked]++;
            sel.member(picked).requestStarted();
            sel.member(picked).requestEnded();
        }

        assertThat(count[2]).isZero();
        assertThat(count[0] + count[1]).isEqualTo(100);
    }

    @Test
    void aRetryPrefersAMemberNotYetTried() {
        for (LoadBalancing lb : LoadBalancing.values()) {
            EndpointSelector sel = detector(CircuitBreakerPolicy.defaults()).group(group(3, lb));
            for (int call = 0; call < 50; call++) {
                long tried = 0;
                for (int attempt = 0; attempt < 3; attempt++) {
                    int picked = sel.select(tried, now());
                    assertThat(tried & (1L << picked)).as("%s call %d attempt %d", lb, call, attempt).isZero();
                    tried |= 1L << picked;
                }
                assertThat(tried).isEqualTo(0b111);
                assertThat(sel.select(tried, now())).as("every member tried: any may be picked again").isBetween(0, 2);
            }
        }
    }

    @Test
    void aRetryGoesBackToATriedMemberWhenItIsTheOnlyOneAdmitted() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(100).build());
        EndpointSelector sel = d.group(group(3, LoadBalancing.ROUND_ROBIN));
        eject(d, sel.member(0));
        eject(d, sel.member(2));

        assertThat(sel.select(1L << 1, now())).isEqualTo(1);
    }

    @Test
    void aGroupOfSixtyFourMembersUsesEveryBitOfTheMask() {
        EndpointSelector sel = detector(CircuitBreakerPolicy.defaults()).group(group(64, LoadBalancing.ROUND_ROBIN));
        long tried = 0;

        for (int i = 0; i < 64; i++) {
            tried |= 1L << sel.select(tried, now());
        }

        assertThat(tried).isEqualTo(-1L);
    }

    @Test
    void whenEveryMemberIsEjectedNoneIsPickedAndTheExceptionNamesTheSoonestReturn() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(100).build());
        EndpointSelector sel = d.group(group(3, LoadBalancing.ROUND_ROBIN));
        eject(d, sel.member(1));
        ticker.advance(ofSeconds(5));
        eject(d, sel.member(0));
        ticker.advance(ofSeconds(5));
        eject(d, sel.member(2));
        ticker.advance(ofMillis(100));

        assertThat(sel.select(0, now())).isEqualTo(EndpointSelector.NONE);
        EndpointEjectedException e = sel.ejectedException(now());

        assertThat(e).hasMessage("all 3 members of http://orders:80 are ejected: "
                + "http://127.0.0.1:8081 until 2026-11-23T12:00:35Z (5 consecutive errors), "
                + "http://127.0.0.1:8082 until 2026-11-23T12:00:30Z (5 consecutive errors), "
                + "http://127.0.0.1:8083 until 2026-11-23T12:00:40Z (5 consecutive errors)");
        assertThat(e.retryAt()).isEqualTo(FakeTicker.at(ofSeconds(30)));
        assertThat(e.endpoint()).isEqualTo("http://orders:80");
        assertThat(e.ejectedEndpoints()).containsExactly("http://127.0.0.1:8081", "http://127.0.0.1:8082",
                "http://127.0.0.1:8083");
        assertThat(e.getStackTrace()).isEmpty();

        ticker.advance(ofSeconds(20)); // 12:00:30.1: the first ejected member is back
        assertThat(sel.select(0, now())).isEqualTo(1);
    }

    @Test
    void aOneMemberGroupIsAClassicBreaker() {
        OutlierDetector d = detector(CircuitBreakerPolicy.defaults()); // 10 %: still one may be ejected
        EndpointSelector sel = d.group(group(1, LoadBalancing.ROUND_ROBIN));
        eject(d, sel.member(0));

        assertThat(sel.maxEjected()).isEqualTo(1);
        assertThat(sel.select(0, now())).isEqualTo(EndpointSelector.NONE);
        assertThat(sel.ejectedException(now())).hasMessage("http://127.0.0.1:8081, the only member of "
                + "http://orders:80, is ejected until 2026-11-23T12:00:30Z (5 consecutive errors)");
    }

    @Test
    void maxEjectionPercentFiftyWithFourMembersOfWhichThreeFailEjectsAtMostTwo() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(50).consecutiveErrors(3)
                .baseEjectionTime(ofSeconds(2)).maxEjectionTime(ofSeconds(20)).interval(ofSeconds(1)).build());
        EndpointSelector sel = d.group(group(4, LoadBalancing.ROUND_ROBIN));
        int[] sent = new int[4];
        int mostEjected = 0;

        for (int call = 0; call < 5000; call++) {
            int picked = sel.select(0, now());
            assertThat(picked).isNotEqualTo(EndpointSelector.NONE);
            sent[picked]++;
            if (picked == 3) {
                d.onResponse(sel.member(picked), 200);
            } else {
                d.onResponse(sel.member(picked), 503);
            }
            int ejected = 0;
            for (int i = 0; i < 4; i++) {
                ejected += d.isEjected(sel.member(i), now()) ? 1 : 0;
            }
            assertThat(ejected).as("call %d", call).isLessThanOrEqualTo(2);
            mostEjected = Math.max(mostEjected, ejected);
            ticker.advance(ofMillis(7));
        }

        assertThat(sel.maxEjected()).isEqualTo(2);
        assertThat(mostEjected).isEqualTo(2);
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isBetween(0L, 2L);
        assertThat(sent[3]).isGreaterThan(sent[0]).isGreaterThan(sent[1]).isGreaterThan(sent[2]);
    }

    @Test
    void atLeastOneMemberMayAlwaysBeEjected() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(0).consecutiveErrors(1).build());
        EndpointSelector sel = d.group(group(4, LoadBalancing.ROUND_ROBIN));

        for (int i = 0; i < 4; i++) {
            d.onResponse(sel.member(i), 503);
        }

        assertThat(sel.maxEjected()).isEqualTo(1);
        assertThat(d.isEjected(sel.member(0), now())).isTrue();
        assertThat(d.isEjected(sel.member(1), now())).isFalse();
        assertThat(d.isEjected(sel.member(2), now())).isFalse();
        assertThat(listener.ejected).hasSize(1);
        assertThat(sel.member(1).consecutiveErrors()).as("kept, so the next error tries again").isEqualTo(1);
    }

    @Test
    void aRefusedEjectionHappensOnTheNextErrorOnceTheGroupHasRoom() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(50).consecutiveErrors(1).build());
        EndpointSelector sel = d.group(group(2, LoadBalancing.ROUND_ROBIN));
        d.onResponse(sel.member(0), 503);
        d.onResponse(sel.member(1), 503);
        assertThat(d.isEjected(sel.member(1), now())).isFalse();

        ticker.advance(ofSeconds(30)); // member 0's ejection ends; nobody has noticed yet
        d.onResponse(sel.member(1), 503);

        assertThat(d.isEjected(sel.member(1), now())).isTrue();
        assertThat(d.isEjected(sel.member(0), now())).isFalse();
    }

    @Test
    void eventsOfAMemberNameItsGroup() {
        OutlierDetector d = detector(CircuitBreakerPolicy.defaults());
        EndpointSelector sel = d.group(group(2, LoadBalancing.ROUND_ROBIN));

        eject(d, sel.member(1));

        assertThat(listener.ejected).containsExactly(new EndpointEjectedEvent("http://127.0.0.1:8082",
                "http://orders:80", EndpointEjectedEvent.CONSECUTIVE_ERRORS, 5, 1, ofSeconds(30),
                FakeTicker.at(ofSeconds(30))));
    }

    @Test
    void aMemberSharesItsStateWithDirectRequestsToTheSameEndpoint() {
        OutlierDetector d = detector(CircuitBreakerPolicy.defaults());
        EndpointState early = d.endpoint(URI.create("http://127.0.0.1:8082"));
        eject(d, early);
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);

        EndpointSelector sel = d.group(group(2, LoadBalancing.ROUND_ROBIN));

        assertThat(d.endpoint(URI.create("http://127.0.0.1:8082"))).isSameAs(sel.member(1));
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).as("the replaced state's ejection ended").isZero();
        eject(d, early); // the replaced state is retired: nothing happens
        assertThat(d.isEjected(sel.member(1), now())).isFalse();
    }

    @Test
    void refusesAMemberOfAnotherGroupAndAWrongNumberOfKeys() {
        OutlierDetector d = detector(CircuitBreakerPolicy.defaults());
        d.group(group(2, LoadBalancing.ROUND_ROBIN));

        assertThatThrownBy(() -> d.group(EndpointGroup.of("http://billing", "http://127.0.0.1:8082")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memberKeys: http://127.0.0.1:8082 (expected: not already a member of http://orders:80)");
        assertThatThrownBy(() -> d.group(group(2, LoadBalancing.ROUND_ROBIN), List.of("only one")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memberKeys: 1 keys (expected: one per member, 2)");
        assertThatThrownBy(() -> d.group(EndpointGroup.of("http://billing", "http://10.0.0.1:1", "http://10.0.0.2:1"),
                List.of("same", "same")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memberKeys: [same, same] (expected: distinct keys)");
    }

    @Test
    void withoutACircuitBreakerPolicyEveryMemberMayBeHealthEjected() {
        OutlierDetector d = new OutlierDetector(Optional.empty(), ticker, counters, listener);
        EndpointSelector sel = d.group(group(4, LoadBalancing.ROUND_ROBIN));

        assertThat(sel.maxEjected()).isEqualTo(4);
    }
}
