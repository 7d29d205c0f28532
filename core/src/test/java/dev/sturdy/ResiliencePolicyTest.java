package dev.sturdy;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.event.ResilienceListener;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ResiliencePolicyTest {

    @Test
    void anEmptyBuilderMeansDefaultTimeoutsAndPoolButNoRetriesAndNoEjection() {
        ResiliencePolicy policy = ResiliencePolicy.builder().build();

        assertThat(policy.timeouts()).isEqualTo(TimeoutPolicy.defaults());
        assertThat(policy.connectionPool()).isEqualTo(ConnectionPoolPolicy.defaults());
        assertThat(policy.retry()).isEmpty();
        assertThat(policy.circuitBreaker()).isEmpty();
        assertThat(policy.tcpRetry().maxConnectAttempts()).isEqualTo(1);
        assertThat(policy.listener()).isSameAs(ResilienceListener.NONE);
        assertThat(policy).isEqualTo(ResiliencePolicy.none());
    }

    @Test
    void recommendedIsWhatAzureRecommendedWrites() {
        ResiliencePolicy policy = ResiliencePolicy.recommended();

        assertThat(policy.timeouts().connectTimeout()).isEqualTo(ofSeconds(5));
        assertThat(policy.timeouts().responseTimeout()).isEqualTo(ofSeconds(60));
        HttpRetryPolicy retry = policy.retry().orElseThrow();
        assertThat(retry.maxRetries()).isEqualTo(3);
        assertThat(retry.initialDelay()).isEqualTo(ofSeconds(1));
        assertThat(retry.maxInterval()).isEqualTo(ofSeconds(10));
        assertThat(retry.retryOn()).containsExactly(RetryOn.FIVE_XX);
        assertThat(policy.tcpRetry().maxConnectAttempts()).isEqualTo(3);
        CircuitBreakerPolicy breaker = policy.circuitBreaker().orElseThrow();
        assertThat(breaker.consecutiveErrors()).isEqualTo(5);
        assertThat(breaker.interval()).isEqualTo(ofSeconds(10));
        assertThat(breaker.maxEjectionPercent()).isEqualTo(100);
        assertThat(breaker).isEqualTo(CircuitBreakerPolicy.builder().maxEjectionPercent(100).build());
        assertThat(policy.connectionPool()).isEqualTo(ConnectionPoolPolicy.defaults());
        assertThat(policy).isNotEqualTo(ResiliencePolicy.none());
    }

    @Test
    void settingAPartTurnsItOnWithItsDefaultsForFieldsNotSet() {
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(5).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).build())
                .build();

        assertThat(policy.retry()).contains(HttpRetryPolicy.defaults().toBuilder().maxRetries(5).build());
        assertThat(policy.circuitBreaker()).contains(CircuitBreakerPolicy.defaults().toBuilder().consecutiveErrors(2).build());
    }

    @Test
    void noRetryAndNoCircuitBreakerTurnThePartsOffAgain() {
        ResiliencePolicy off = ResiliencePolicy.recommended().toBuilder().noRetry().noCircuitBreaker().build();

        assertThat(off.retry()).isEmpty();
        assertThat(off.circuitBreaker()).isEmpty();
        assertThat(off.tcpRetry().maxConnectAttempts()).isEqualTo(3);
    }

    @Test
    void listenersAreComparedByIdentity() {
        ResilienceListener one = new ResilienceListener() { };
        ResilienceListener other = new ResilienceListener() {
            @Override
            public boolean equals(Object o) {
                return true;
            }

            @Override
            public int hashCode() {
                return 0;
            }
        };

        ResiliencePolicy withOne = ResiliencePolicy.builder().listener(one).build();

        assertThat(withOne).isEqualTo(ResiliencePolicy.builder().listener(one).build())
                .hasSameHashCodeAs(ResiliencePolicy.builder().listener(one).build());
        assertThat(withOne).isNotEqualTo(ResiliencePolicy.builder().listener(other).build());
        assertThat(ResiliencePolicy.builder().listener(other).build()).isNotEqualTo(ResiliencePolicy.none());
    }

    @Test
    void toStringShowsEveryPart() {
        assertThat(ResiliencePolicy.none()).hasToString("ResiliencePolicy{timeouts=" + TimeoutPolicy.defaults()
                + ", retry=none, tcpRetry=TcpRetryPolicy{maxConnectAttempts=1}, circuitBreaker=none, connectionPool="
                + ConnectionPoolPolicy.defaults() + ", listener=ResilienceListener.NONE}");
        assertThat(ResiliencePolicy.recommended().toString())
                .contains("retry=" + ResiliencePolicy.recommended().retry().orElseThrow())
                .contains("circuitBreaker=" + ResiliencePolicy.recommended().circuitBreaker().orElseThrow())
                .contains("tcpRetry=TcpRetryPolicy{maxConnectAttempts=3}");
    }

    @Test
    void everyPartTakesPartInEquality() {
        ResilienceListener listener = new ResilienceListener() {
            @Override
            public String toString() {
                return "test listener";
            }
        };
        List<UnaryOperator<ResiliencePolicy.Builder>> changes = List.of(
                b -> b.timeouts(TimeoutPolicy.builder().connectTimeout(ofSeconds(1)).build()),
                b -> b.retry(HttpRetryPolicy.defaults()),
                b -> b.tcpRetry(TcpRetryPolicy.maxConnectAttempts(2)),
                b -> b.circuitBreaker(CircuitBreakerPolicy.defaults()),
                b -> b.connectionPool(ConnectionPoolPolicy.builder().maxConnections(5).build()),
                b -> b.listener(listener));

        PolicyEquality.assertEveryChangeMatters(ResiliencePolicy.none(), ResiliencePolicy::toBuilder,
                ResiliencePolicy.Builder::build, changes);
    }
}
