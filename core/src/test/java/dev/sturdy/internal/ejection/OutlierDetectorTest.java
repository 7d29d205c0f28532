package dev.sturdy.internal.ejection;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.runtime.Counters;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

    private static final URI A = URI.create("http://127.0.0.1:8081");
    private static final String A_NAME = "http://127.0.0.1:8081";

    private final FakeTicker ticker = new FakeTicker();
    private final Counters counters = new Counters(ticker);
    private final RecordingListener listener = new RecordingListener();

    private OutlierDetector detector(CircuitBreakerPolicy policy) {
        return new OutlierDetector(Optional.of(policy), ticker, counters, listener);
    }

    private OutlierDetector detector() {
        return detector(CircuitBreakerPolicy.defaults());
    }

    private static void errors(OutlierDetector d, EndpointState s, int n) {
        for (int i = 0; i < n; i++) {
            d.onResponse(s, 503);
        }
    }

    private boolean ejected(OutlierDetector d, EndpointState s) {
        return d.isEjected(s, ticker.nanoTime());
    }

    @Test
    void ejectsAtOnceOnReachingConsecutiveErrors() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);

        errors(d, a, 4);
        assertThat(ejected(d, a)).isFalse();
        assertThat(a.consecutiveErrors()).isEqualTo(4);
        assertThat(listener.ejected).isEmpty();

        d.onResponse(a, 503);

        assertThat(ejected(d, a)).isTrue();
        assertThat(listener.ejected).containsExactly(new EndpointEjectedEvent(A_NAME, A_NAME,
                EndpointEjectedEvent.CONSECUTIVE_ERRORS, 5, 1, ofSeconds(30), FakeTicker.at(ofSeconds(30))));
        assertThat(counters.get(ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(1);
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
        assertThat(counters.get(A_NAME, ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
    }

    @Test
    void aSuccessResetsTheConsecutiveCount() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);

        errors(d, a, 4);
        d.onResponse(a, 200);
        errors(d, a, 4);

        assertThat(ejected(d, a)).isFalse();
        d.onResponse(a, 500);
        assertThat(ejected(d, a)).isTrue();
    }

    @Test
    void fourHundredsNeverCountAndResetTheCountAsEnvoyDoes() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);

        for (int status = 400; status <= 499; status++) {
            d.onResponse(a, status);
        }
        assertThat(a.consecutiveErrors()).isZero();
        errors(d, a, 4);
        d.onResponse(a, 404);
        errors(d, a, 4);

        assertThat(ejected(d, a)).isFalse();
        assertThat(listener.ejected).isEmpty();
    }

    @Test
    void everyFiveHundredCountsByDefault() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);

        d.onResponse(a, 500);
        d.onResponse(a, 501);
        d.onResponse(a, 502);
        d.onResponse(a, 599);
        d.onError(a, ErrorKind.SERVER_ERROR);

        assertThat(ejected(d, a)).isTrue();
    }

    @Test
    void gatewayErrorsOnlyCountsOnly502To504AndLetsOther5xxResetTheCount() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().gatewayErrorsOnly(true).build());
        EndpointState a = d.endpoint(A);

        for (int i = 0; i < 20; i++) {
            d.onResponse(a, 500);
            d.onResponse(a, 501);
        }
        assertThat(ejected(d, a)).isFalse();

        d.onResponse(a, 502);
        d.onResponse(a, 503);
        d.onResponse(a, 504);
        d.onResponse(a, 500); // resets, as Envoy's consecutive gateway failure does
        d.onResponse(a, 502);
        d.onResponse(a, 503);
        d.onResponse(a, 504);
        d.onFailure(a, FailureClass.CONNECT_FAILURE);
        assertThat(ejected(d, a)).isFalse();

        d.onResponse(a, 504);
        assertThat(ejected(d, a)).isTrue();
    }

    @Test
    void localOriginFailuresCountAndOwnSaturationNeverDoes() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().consecutiveErrors(5).build());
        EndpointState a = d.endpoint(A);

        for (int i = 0; i < 10; i++) {
            d.onFailure(a, FailureClass.LOCAL_REJECTION);
            d.onFailure(a, FailureClass.CANCELLED);
            d.onFailure(a, FailureClass.DEADLINE_EXCEEDED);
            d.onFailure(a, FailureClass.OTHER);
            d.onFailure(a, FailureClass.NONE);
        }
        assertThat(a.consecutiveErrors()).isZero();

        d.onFailure(a, FailureClass.CONNECT_FAILURE);
        d.onFailure(a, FailureClass.RESET);
        d.onFailure(a, FailureClass.PER_TRY_TIMEOUT);
        d.onFailure(a, FailureClass.REFUSED_STREAM);
        d.onFailure(a, FailureClass.LOCAL_REJECTION); // ignored: neither error nor success
        assertThat(a.consecutiveErrors()).isEqualTo(4);
        d.onFailure(a, FailureClass.TLS_FAILURE);

        assertThat(ejected(d, a)).isTrue();
    }

    @Test
    void mayBeEjectedTellsWhenTheAnswerNeedsTheExactTime() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        assertThat(d.mayBeEjected(a)).as("admitted: any time gives the same answer").isFalse();
        errors(d, a, 5);
        assertThat(d.mayBeEjected(a)).isTrue();

        ticker.advance(ofSeconds(30));
        assertThat(d.mayBeEjected(a)).as("ended, but nobody has looked yet").isTrue();
        assertThat(ejected(d, a)).isFalse();
        assertThat(d.mayBeEjected(a)).as("restored").isFalse();
    }

    @Test
    void restoresWhenTheEjectionTimeHasPassedOnTheRequestPath() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);

        ticker.advance(ofSeconds(30).minusNanos(1));
        assertThat(ejected(d, a)).isTrue();
        assertThat(listener.restored).isEmpty();

        ticker.advanceNanos(1);
        assertThat(ejected(d, a)).isFalse();
        assertThat(listener.restored).containsExactly(
                new EndpointRestoredEvent(A_NAME, A_NAME, EndpointRestoredEvent.EJECTION_ENDED, ofSeconds(30)));
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
        assertThat(counters.get(ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(1);
    }

    @Test
    void sweepRestoresAnEjectionNobodyAsksAbout() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);

        ticker.advance(ofSeconds(29));
        d.sweep(ticker.nanoTime());
        assertThat(listener.restored).isEmpty();

        ticker.advance(ofSeconds(10));
        d.sweep(ticker.nanoTime());
        // A late sweep reports the real ejection length: the endpoint was admitted again at 30 s.
        assertThat(listener.restored).containsExactly(
                new EndpointRestoredEvent(A_NAME, A_NAME, EndpointRestoredEvent.EJECTION_ENDED, ofSeconds(30)));
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
        assertThat(ejected(d, a)).isFalse();
    }

    @Test
    void sweepIfDueSweepsOncePerInterval() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);

        assertThat(d.sweepIfDue(ticker.nanoTime())).isFalse();
        ticker.advance(ofSeconds(10));
        assertThat(d.sweepIfDue(ticker.nanoTime())).isTrue();
        assertThat(d.sweepIfDue(ticker.nanoTime())).isFalse();
        ticker.advance(ofSeconds(20));
        assertThat(d.sweepIfDue(ticker.nanoTime())).isTrue();
        assertThat(listener.restored).hasSize(1);
    }

    @Test
    void firstErrorOnProbationReEjectsForLongerUpToTheCap() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder()
                .baseEjectionTime(ofSeconds(30)).maxEjectionTime(ofSeconds(100)).build());
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);
        Duration[] expected = {ofSeconds(30), ofSeconds(60), ofSeconds(90), ofSeconds(100), ofSeconds(100)};

        for (int i = 0; i < expected.length; i++) {
            EndpointEjectedEvent event = listener.lastEjected();
            assertThat(event.duration()).as("ejection %d", i + 1).isEqualTo(expected[i]);
            assertThat(event.ejections()).isEqualTo(Math.min(i + 1, 4));
            assertThat(event.reason()).isEqualTo(i == 0 ? EndpointEjectedEvent.CONSECUTIVE_ERRORS
                    : EndpointEjectedEvent.ERROR_ON_PROBATION);
            assertThat(event.errors()).isEqualTo(i == 0 ? 5 : 1);

            ticker.advance(expected[i]);
            assertThat(ejected(d, a)).isFalse();
            ticker.advance(ofSeconds(5)); // less than one interval: still on probation
            d.onResponse(a, 200);
            d.onResponse(a, 502);
            assertThat(ejected(d, a)).as("re-ejected on the first error after ejection %d", i + 1).isTrue();
        }
        assertThat(listener.ejected).hasSize(6);
        assertThat(listener.restored).hasSize(5);
    }

    @Test
    void kDropsByOneForEachFullIntervalWithoutAnError() {
        OutlierDetector d = detector(); // interval 10 s, base 30 s
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);                        // k = 1, 30 s
        ticker.advance(ofSeconds(30));
        d.onResponse(a, 503);                   // on probation: k = 2, 60 s
        assertThat(listener.lastEjected().duration()).isEqualTo(ofSeconds(60));
        ticker.advance(ofSeconds(60));
        assertThat(ejected(d, a)).isFalse();    // admitted again at 90 s with k = 2

        ticker.advance(ofSeconds(10));          // one full clean interval: k = 1
        d.onResponse(a, 503);                   // still on probation: k = 2 again
        assertThat(listener.lastEjected().duration()).isEqualTo(ofSeconds(60));
        assertThat(listener.lastEjected().ejections()).isEqualTo(2);

        ticker.advance(ofSeconds(60));
        ticker.advance(ofSeconds(19));          // one full interval and most of another: k = 1
        assertThat(ejected(d, a)).isFalse();    // (a request: keeps the endpoint from being evicted as idle)
        d.sweep(ticker.nanoTime());
        assertThat(a.ejections()).isEqualTo(1);
        ticker.advance(ofSeconds(1));           // the second interval completes: k = 0
        d.sweep(ticker.nanoTime());
        assertThat(a.ejections()).isZero();

        d.onResponse(a, 503);                   // off probation: one error no longer ejects
        assertThat(ejected(d, a)).isFalse();
        errors(d, a, 4);
        assertThat(ejected(d, a)).isTrue();
        assertThat(listener.lastEjected().duration()).isEqualTo(ofSeconds(30));
        assertThat(listener.lastEjected().ejections()).isEqualTo(1);
    }

    @Test
    void timeSpentEjectedDoesNotLowerK() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder()
                .interval(ofSeconds(10)).baseEjectionTime(ofSeconds(100)).maxEjectionTime(ofSeconds(1000)).build());
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);                        // 100 s, ten intervals long
        ticker.advance(ofSeconds(100));
        d.sweep(ticker.nanoTime());
        ticker.advance(ofSeconds(9));

        d.onResponse(a, 503);

        assertThat(listener.lastEjected().ejections()).isEqualTo(2);
        assertThat(listener.lastEjected().duration()).isEqualTo(ofSeconds(200));
    }

    @Test
    void outcomesOfAttemptsStartedBeforeTheEjectionChangeNothing() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);

        errors(d, a, 20);
        d.onResponse(a, 200);

        assertThat(ejected(d, a)).isTrue();
        assertThat(listener.ejected).hasSize(1);
        assertThat(a.ejections()).isEqualTo(1);
        ticker.advance(ofSeconds(30));
        assertThat(ejected(d, a)).isFalse();
    }

    @Test
    void withoutACircuitBreakerPolicyErrorsNeverEject() {
        OutlierDetector d = new OutlierDetector(Optional.empty(), ticker, counters, listener);
        EndpointState a = d.endpoint(A);

        errors(d, a, 100);
        d.onFailure(a, FailureClass.CONNECT_FAILURE);

        assertThat(d.passiveEjection()).isFalse();
        assertThat(ejected(d, a)).isFalse();
        assertThat(counters.get(ResilienceCounter.EJECTIONS_TOTAL)).isZero();
    }

    @Test
    void aLoneEndpointIsAClassicBreakerWhatEverTheMaxEjectionPercent() {
        OutlierDetector d = detector(CircuitBreakerPolicy.builder().maxEjectionPercent(0).consecutiveErrors(1).build());
        EndpointState a = d.endpoint(A);
        EndpointState b = d.endpoint(URI.create("http://127.0.0.1:8082"));

        d.onResponse(a, 503);
        d.onResponse(b, 503);

        assertThat(ejected(d, a)).isTrue();
        assertThat(ejected(d, b)).isTrue();
    }

    @Test
    void theFailFastExceptionNamesTheEndpointWhenAndWhyAndHasNoStackTrace() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        errors(d, a, 5);
        ticker.advance(ofMillis(1500));

        EndpointEjectedException e = d.ejectedException(a, ticker.nanoTime());

        assertThat(e).isInstanceOf(IOException.class)
                .hasMessage("http://127.0.0.1:8081 is ejected until 2026-11-23T12:00:30Z (5 consecutive errors)");
        assertThat(e.endpoint()).isEqualTo(A_NAME);
        assertThat(e.ejectedEndpoints()).containsExactly(A_NAME);
        assertThat(e.retryAt()).isEqualTo(FakeTicker.at(ofSeconds(30)));
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.getCause()).isNull();
    }

    @Test
    void theRetryTimeIsRoundedUpToTheSecondAndTheProbationReasonIsNamed() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);
        ticker.advance(ofMillis(250));
        errors(d, a, 5);
        ticker.advance(ofSeconds(30));
        d.onFailure(a, FailureClass.RESET);

        EndpointEjectedException e = d.ejectedException(a, ticker.nanoTime());

        // ejected at 12:00:30.250 for 60 s: tried again at 12:01:30.250, shown as 12:01:31
        assertThat(e).hasMessage("http://127.0.0.1:8081 is ejected until 2026-11-23T12:01:31Z (error on probation)");
        assertThat(e.retryAt()).isEqualTo(FakeTicker.at(ofSeconds(91)));
    }

    @Test
    void keyLookupsNeverTrackUnknownEndpoints() {
        OutlierDetector d = detector();

        assertThat(d.isEjected((Object) A, ticker.nanoTime())).isFalse();
        d.onSuccess((Object) A);
        assertThat(d.size()).isZero();

        for (int i = 0; i < 5; i++) {
            d.onError((Object) A, ErrorKind.LOCAL_ORIGIN);
        }
        assertThat(d.size()).isEqualTo(1);
        assertThat(d.isEjected((Object) A, ticker.nanoTime())).isTrue();
        assertThat(d.endpoint(A).key()).isEqualTo(A);
        assertThat(d.endpoint(A).name()).isEqualTo(A_NAME);
    }

    @Test
    void aListenerThatThrowsChangesNothing() {
        ResilienceListener broken = new ResilienceListener() {
            @Override
            public void onEndpointEjected(EndpointEjectedEvent event) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onEndpointRestored(EndpointRestoredEvent event) {
                throw new IllegalStateException("boom");
            }
        };
        OutlierDetector d = new OutlierDetector(Optional.of(CircuitBreakerPolicy.defaults()), ticker, counters, broken);
        EndpointState a = d.endpoint(A);

        errors(d, a, 5);
        assertThat(ejected(d, a)).isTrue();
        ticker.advance(ofSeconds(30));
        assertThat(ejected(d, a)).isFalse();
        assertThat(counters.get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
    }

    @Test
    void outstandingRequestsAreCountedPerEndpoint() {
        OutlierDetector d = detector();
        EndpointState a = d.endpoint(A);

        a.requestStarted();
        a.requestStarted();
        a.requestEnded();

        assertThat(a.outstanding()).isEqualTo(1);
    }
}
