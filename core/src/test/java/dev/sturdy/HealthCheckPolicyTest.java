package dev.sturdy;

import static java.time.Duration.ZERO;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HealthCheckPolicyTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    @Test
    void defaultsProbeSlashHealthEveryTenSecondsExpecting200To399() {
        HealthCheckPolicy policy = HealthCheckPolicy.defaults();

        assertThat(policy.path()).isEqualTo("/health").isEqualTo(HealthCheckPolicy.DEFAULT_PATH);
        assertThat(policy.minExpectedStatus()).isEqualTo(200).isEqualTo(HealthCheckPolicy.DEFAULT_MIN_EXPECTED_STATUS);
        assertThat(policy.maxExpectedStatus()).isEqualTo(399).isEqualTo(HealthCheckPolicy.DEFAULT_MAX_EXPECTED_STATUS);
        assertThat(policy.interval()).isEqualTo(ofSeconds(10)).isEqualTo(HealthCheckPolicy.DEFAULT_INTERVAL);
        assertThat(policy.timeout()).isEqualTo(ofSeconds(2)).isEqualTo(HealthCheckPolicy.DEFAULT_TIMEOUT);
        assertThat(policy.healthyThreshold()).isEqualTo(1).isEqualTo(HealthCheckPolicy.DEFAULT_HEALTHY_THRESHOLD);
        assertThat(policy.unhealthyThreshold()).isEqualTo(2).isEqualTo(HealthCheckPolicy.DEFAULT_UNHEALTHY_THRESHOLD);
        assertThat(HealthCheckPolicy.builder().build()).isEqualTo(policy);
    }

    @Test
    void theExpectedRangeIncludesBothEnds() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().expectedStatuses(200, 404).build();

        assertThat(policy.isExpected(199)).isFalse();
        assertThat(policy.isExpected(200)).isTrue();
        assertThat(policy.isExpected(404)).isTrue();
        assertThat(policy.isExpected(405)).isFalse();
        assertThat(HealthCheckPolicy.defaults().isExpected(302)).isTrue();
        assertThat(HealthCheckPolicy.defaults().isExpected(404)).isFalse();
        assertThat(HealthCheckPolicy.defaults().isExpected(503)).isFalse();
    }

    @Test
    void acceptsTheBoundsOfEveryRangeAndAQuery() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().path("/").expectedStatuses(100, 100)
                .healthyThreshold(1).unhealthyThreshold(1).interval(ofSeconds(2)).timeout(ofSeconds(2)).build();

        assertThat(policy.path()).isEqualTo("/");
        assertThat(policy.toBuilder().path("/ready?full=1").maxExpectedStatus(599).build().path())
                .isEqualTo("/ready?full=1");
    }

    @Test
    void checksCrossFieldRulesOnlyAtBuildSoSetterOrderDoesNotMatter() {
        HealthCheckPolicy policy = HealthCheckPolicy.builder().timeout(ofSeconds(30)).interval(ofSeconds(60))
                .minExpectedStatus(500).maxExpectedStatus(599).build();

        assertThat(policy.timeout()).isEqualTo(ofSeconds(30));
        assertThat(policy.minExpectedStatus()).isEqualTo(500);
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(HealthCheckPolicy.defaults()).hasToString("HealthCheckPolicy{path=\"/health\", "
                + "expectedStatuses=[200, 399], interval=PT10S, timeout=PT2S, healthyThreshold=1, unhealthyThreshold=2}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<HealthCheckPolicy.Builder>> changes = List.of(
                b -> b.path("/ready"),
                b -> b.minExpectedStatus(201),
                b -> b.maxExpectedStatus(299),
                b -> b.interval(ofSeconds(11)),
                b -> b.timeout(ofSeconds(3)),
                b -> b.healthyThreshold(2),
                b -> b.unhealthyThreshold(3));

        PolicyEquality.assertEveryChangeMatters(HealthCheckPolicy.defaults(), HealthCheckPolicy::toBuilder,
                HealthCheckPolicy.Builder::build, changes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void refusesBadValuesWithTheirWholeMessage(String name, ThrowingCallable call, Class<? extends Throwable> type,
            String message) {
        assertThatThrownBy(call).isExactlyInstanceOf(type).hasMessage(message);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("path null", (ThrowingCallable) () -> HealthCheckPolicy.builder().path(null),
                        NPE, "path: null (expected: non-null)"),
                arguments("path relative", (ThrowingCallable) () -> HealthCheckPolicy.builder().path("health"),
                        IAE, "path: \"health\" (expected: to start with /)"),
                arguments("path empty", (ThrowingCallable) () -> HealthCheckPolicy.builder().path(""),
                        IAE, "path: \"\" (expected: to start with /)"),
                arguments("path with space", (ThrowingCallable) () -> HealthCheckPolicy.builder().path("/he alth"),
                        IAE, "path: \"/he alth\" (expected: no whitespace or control character)"),
                arguments("path with newline", (ThrowingCallable) () -> HealthCheckPolicy.builder().path("/h\r\nX: 1"),
                        IAE, "path: \"/h\r\nX: 1\" (expected: no whitespace or control character)"),
                arguments("path with fragment", (ThrowingCallable) () -> HealthCheckPolicy.builder().path("/h#top"),
                        IAE, "path: \"/h#top\" (expected: no fragment)"),
                arguments("min status 99", (ThrowingCallable) () -> HealthCheckPolicy.builder().minExpectedStatus(99),
                        IAE, "minExpectedStatus: 99 (expected: in [100, 599])"),
                arguments("max status 600", (ThrowingCallable) () -> HealthCheckPolicy.builder().maxExpectedStatus(600),
                        IAE, "maxExpectedStatus: 600 (expected: in [100, 599])"),
                arguments("range with bad max", (ThrowingCallable) () -> HealthCheckPolicy.builder().expectedStatuses(200, 0),
                        IAE, "maxExpectedStatus: 0 (expected: in [100, 599])"),
                arguments("interval zero", (ThrowingCallable) () -> HealthCheckPolicy.builder().interval(ZERO),
                        IAE, "interval: PT0S (expected: > 0)"),
                arguments("interval null", (ThrowingCallable) () -> HealthCheckPolicy.builder().interval(null),
                        NPE, "interval: null (expected: non-null)"),
                arguments("timeout negative", (ThrowingCallable) () -> HealthCheckPolicy.builder().timeout(ofSeconds(-1)),
                        IAE, "timeout: PT-1S (expected: > 0)"),
                arguments("healthyThreshold 0", (ThrowingCallable) () -> HealthCheckPolicy.builder().healthyThreshold(0),
                        IAE, "healthyThreshold: 0 (expected: >= 1)"),
                arguments("unhealthyThreshold -1", (ThrowingCallable) () -> HealthCheckPolicy.builder().unhealthyThreshold(-1),
                        IAE, "unhealthyThreshold: -1 (expected: >= 1)"),
                arguments("min above max", (ThrowingCallable) () -> HealthCheckPolicy.builder().minExpectedStatus(500).build(),
                        ISE, "minExpectedStatus: 500 (expected: <= maxExpectedStatus 399)"),
                arguments("timeout above interval",
                        (ThrowingCallable) () -> HealthCheckPolicy.builder().timeout(ofSeconds(11)).build(),
                        ISE, "timeout: PT11S (expected: <= interval PT10S)"));
    }
}
