package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** For random valid policies of every type, {@code toBuilder().build()} gives an equal policy. */
class PolicyRoundTripPropertyTest {

    private static final int CASES = 2_000;

    @Test
    void timeoutPolicySurvivesToBuilderBuild() {
        roundTrips("timeoutPolicySurvivesToBuilderBuild", RandomPolicies::timeoutPolicy, p -> p.toBuilder().build());
    }

    @Test
    void httpRetryPolicySurvivesToBuilderBuild() {
        roundTrips("httpRetryPolicySurvivesToBuilderBuild", RandomPolicies::httpRetryPolicy, p -> p.toBuilder().build());
    }

    @Test
    void tcpRetryPolicySurvivesToBuilderBuild() {
        roundTrips("tcpRetryPolicySurvivesToBuilderBuild", RandomPolicies::tcpRetryPolicy, p -> p.toBuilder().build());
    }

    @Test
    void circuitBreakerPolicySurvivesToBuilderBuild() {
        roundTrips("circuitBreakerPolicySurvivesToBuilderBuild", RandomPolicies::circuitBreakerPolicy,
                p -> p.toBuilder().build());
    }

    @Test
    void connectionPoolPolicySurvivesToBuilderBuild() {
        roundTrips("connectionPoolPolicySurvivesToBuilderBuild", RandomPolicies::connectionPoolPolicy,
                p -> p.toBuilder().build());
    }

    @Test
    void resiliencePolicySurvivesToBuilderBuild() {
        roundTrips("resiliencePolicySurvivesToBuilderBuild", RandomPolicies::resiliencePolicy, p -> p.toBuilder().build());
    }

    @Test
    void retryBudgetSurvivesBeingRebuiltFromItsAccessors() {
        roundTrips("retryBudgetSurvivesBeingRebuiltFromItsAccessors", RandomPolicies::retryBudget,
                b -> RetryBudget.of(b.percent(), b.minRetryConcurrency()));
    }

    @Test
    void httpRetryPolicySurvivesBeingRebuiltFromItsAccessors() {
        roundTrips("httpRetryPolicySurvivesBeingRebuiltFromItsAccessors", RandomPolicies::httpRetryPolicy,
                p -> HttpRetryPolicy.builder()
                        .maxRetries(p.maxRetries())
                        .backoff(p.initialDelay(), p.maxInterval())
                        .retryOn(p.retryOn().toArray(new RetryOn[0]))
                        .statusCodes(p.statusCodes().stream().mapToInt(Integer::intValue).toArray())
                        .headers(p.headers())
                        .retryAfter(p.respectRetryAfter())
                        .maxRetryAfter(p.maxRetryAfter())
                        .retryNonIdempotent(p.retryNonIdempotent())
                        .budget(p.budget())
                        .build());
    }

    private static <P> void roundTrips(String test, Function<SplittableRandom, P> generator, Function<P, P> copy) {
        long seed = Seeds.seed(test);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            P policy = generator.apply(random);
            P copied = copy.apply(policy);
            assertThat(copied).as(Seeds.describe(seed, "case " + i + ": " + policy))
                    .isEqualTo(policy)
                    .hasSameHashCodeAs(policy)
                    .hasToString(policy.toString());
        }
    }
}
