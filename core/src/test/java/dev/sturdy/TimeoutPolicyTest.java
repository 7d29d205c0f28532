package dev.sturdy;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TimeoutPolicyTest {

    @Test
    void defaultsAreFiveSecondConnectSixtySecondResponseAndNoPerTryTimeout() {
        TimeoutPolicy policy = TimeoutPolicy.defaults();

        assertThat(policy.connectTimeout()).isEqualTo(ofSeconds(5)).isEqualTo(TimeoutPolicy.DEFAULT_CONNECT_TIMEOUT);
        assertThat(policy.responseTimeout()).isEqualTo(ofSeconds(60)).isEqualTo(TimeoutPolicy.DEFAULT_RESPONSE_TIMEOUT);
        assertThat(policy.perTryTimeout()).isEmpty().isEqualTo(TimeoutPolicy.DEFAULT_PER_TRY_TIMEOUT);
        assertThat(TimeoutPolicy.builder().build()).isEqualTo(policy);
    }

    @Test
    void keepsEverySettingItIsGiven() {
        TimeoutPolicy policy = TimeoutPolicy.builder()
                .connectTimeout(ofMillis(250)).responseTimeout(ofSeconds(15)).perTryTimeout(ofSeconds(4)).build();

        assertThat(policy.connectTimeout()).isEqualTo(ofMillis(250));
        assertThat(policy.responseTimeout()).isEqualTo(ofSeconds(15));
        assertThat(policy.perTryTimeout()).contains(ofSeconds(4));
    }

    @Test
    void checksPerTryAgainstResponseTimeoutOnlyAtBuildSoSetterOrderDoesNotMatter() {
        TimeoutPolicy policy = TimeoutPolicy.builder().perTryTimeout(ofSeconds(90)).responseTimeout(ofSeconds(120)).build();

        assertThat(policy.perTryTimeout()).contains(ofSeconds(90));
    }

    @Test
    void acceptsPerTryTimeoutEqualToResponseTimeout() {
        TimeoutPolicy policy = TimeoutPolicy.builder().responseTimeout(ofSeconds(3)).perTryTimeout(ofSeconds(3)).build();

        assertThat(policy.perTryTimeout()).contains(policy.responseTimeout());
    }

    @Test
    void noPerTryTimeoutClearsAnEarlierOne() {
        TimeoutPolicy withPerTry = TimeoutPolicy.builder().perTryTimeout(ofSeconds(2)).build();

        TimeoutPolicy cleared = withPerTry.toBuilder().noPerTryTimeout().build();

        assertThat(cleared.perTryTimeout()).isEmpty();
        assertThat(cleared).isEqualTo(TimeoutPolicy.defaults());
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(TimeoutPolicy.defaults())
                .hasToString("TimeoutPolicy{connectTimeout=PT5S, responseTimeout=PT1M, perTryTimeout=none}");
        assertThat(TimeoutPolicy.builder().connectTimeout(ofMillis(1500)).responseTimeout(ofSeconds(15))
                .perTryTimeout(ofSeconds(5)).build())
                .hasToString("TimeoutPolicy{connectTimeout=PT1.5S, responseTimeout=PT15S, perTryTimeout=PT5S}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<TimeoutPolicy.Builder>> changes = List.of(
                b -> b.connectTimeout(ofSeconds(6)),
                b -> b.responseTimeout(ofSeconds(61)),
                b -> b.perTryTimeout(ofSeconds(1)));

        PolicyEquality.assertEveryChangeMatters(TimeoutPolicy.defaults(), TimeoutPolicy::toBuilder,
                TimeoutPolicy.Builder::build, changes);
    }

    @Test
    void toBuilderDerivesACopyWithoutChangingTheOriginal() {
        TimeoutPolicy original = TimeoutPolicy.builder().perTryTimeout(ofSeconds(1)).build();

        TimeoutPolicy changed = original.toBuilder().connectTimeout(ofSeconds(1)).build();

        assertThat(original.connectTimeout()).isEqualTo(ofSeconds(5));
        assertThat(changed.connectTimeout()).isEqualTo(ofSeconds(1));
        assertThat(changed.perTryTimeout()).contains(ofSeconds(1));
    }
}
