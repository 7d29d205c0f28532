package dev.sturdy;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CircuitBreakerPolicyTest {

    @Test
    void defaultsAreFiveErrorsTenSecondsThirtyToThreeHundredSecondEjectionsAndTenPercent() {
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.defaults();

        assertThat(policy.consecutiveErrors()).isEqualTo(5).isEqualTo(CircuitBreakerPolicy.DEFAULT_CONSECUTIVE_ERRORS);
        assertThat(policy.interval()).isEqualTo(ofSeconds(10)).isEqualTo(CircuitBreakerPolicy.DEFAULT_INTERVAL);
        assertThat(policy.baseEjectionTime()).isEqualTo(ofSeconds(30))
                .isEqualTo(CircuitBreakerPolicy.DEFAULT_BASE_EJECTION_TIME);
        assertThat(policy.maxEjectionTime()).isEqualTo(ofSeconds(300))
                .isEqualTo(CircuitBreakerPolicy.DEFAULT_MAX_EJECTION_TIME);
        assertThat(policy.maxEjectionPercent()).isEqualTo(10).isEqualTo(CircuitBreakerPolicy.DEFAULT_MAX_EJECTION_PERCENT);
        assertThat(policy.gatewayErrorsOnly()).isFalse();
        assertThat(CircuitBreakerPolicy.builder().build()).isEqualTo(policy);
    }

    @Test
    void acceptsTheBoundsOfEveryRange() {
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder()
                .consecutiveErrors(1).maxEjectionPercent(0)
                .baseEjectionTime(ofSeconds(7)).maxEjectionTime(ofSeconds(7))
                .build();

        assertThat(policy.consecutiveErrors()).isEqualTo(1);
        assertThat(policy.maxEjectionPercent()).isZero();
        assertThat(policy.baseEjectionTime()).isEqualTo(policy.maxEjectionTime());
        assertThat(policy.toBuilder().maxEjectionPercent(100).build().maxEjectionPercent()).isEqualTo(100);
    }

    @Test
    void checksBaseAgainstMaxEjectionTimeOnlyAtBuildSoSetterOrderDoesNotMatter() {
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder()
                .baseEjectionTime(ofSeconds(600)).maxEjectionTime(ofSeconds(900)).build();

        assertThat(policy.baseEjectionTime()).isEqualTo(ofSeconds(600));
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(CircuitBreakerPolicy.defaults()).hasToString("CircuitBreakerPolicy{consecutiveErrors=5, "
                + "interval=PT10S, baseEjectionTime=PT30S, maxEjectionTime=PT5M, maxEjectionPercent=10, "
                + "gatewayErrorsOnly=false}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<CircuitBreakerPolicy.Builder>> changes = List.of(
                b -> b.consecutiveErrors(6),
                b -> b.interval(ofSeconds(11)),
                b -> b.baseEjectionTime(ofSeconds(31)),
                b -> b.maxEjectionTime(ofSeconds(301)),
                b -> b.maxEjectionPercent(11),
                b -> b.gatewayErrorsOnly(true));

        PolicyEquality.assertEveryChangeMatters(CircuitBreakerPolicy.defaults(), CircuitBreakerPolicy::toBuilder,
                CircuitBreakerPolicy.Builder::build, changes);
    }
}
