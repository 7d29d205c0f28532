package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.sturdy.EndpointGroup.LoadBalancing;
import java.net.URI;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EndpointGroupTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    @Test
    void aGroupMapsAServiceToItsMembersRoundRobinWithoutHealthChecksByDefault() {
        EndpointGroup group = EndpointGroup.of("http://orders", "http://127.0.0.1:8081", "http://127.0.0.1:8082");

        assertThat(group.service()).isEqualTo(URI.create("http://orders:80"));
        assertThat(group.members()).containsExactly(URI.create("http://127.0.0.1:8081"),
                URI.create("http://127.0.0.1:8082"));
        assertThat(group.loadBalancing()).isEqualTo(LoadBalancing.ROUND_ROBIN).isEqualTo(EndpointGroup.DEFAULT_LOAD_BALANCING);
        assertThat(group.healthCheck()).isEmpty().isEqualTo(EndpointGroup.DEFAULT_HEALTH_CHECK);
        assertThat(EndpointGroup.MAX_MEMBERS).isEqualTo(64);
    }

    @Test
    void urisAreNormalisedToSchemeHostAndExplicitPort() {
        EndpointGroup group = EndpointGroup.builder("HTTPS://Orders.Example.COM/")
                .member("http://127.0.0.1:8081/")
                .member("HTTP://Replica-2.internal")
                .member("https://[::1]:8443")
                .member(URI.create("http://10.0.0.1:80"))
                .build();

        assertThat(group.service()).hasToString("https://orders.example.com:443");
        assertThat(group.members()).extracting(URI::toString).containsExactly("http://127.0.0.1:8081",
                "http://replica-2.internal:80", "https://[::1]:8443", "http://10.0.0.1:80");
    }

    @Test
    void membersAreUnmodifiableAndKeepTheirOrder() {
        EndpointGroup group = EndpointGroup.of("http://orders", "http://b:2", "http://a:1");

        assertThat(group.members()).extracting(URI::getHost).containsExactly("b", "a");
        assertThatThrownBy(() -> group.members().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void takesUpToSixtyFourMembers() {
        EndpointGroup.Builder builder = EndpointGroup.builder("http://orders");
        for (int i = 0; i < 64; i++) {
            builder.member("http://10.0.0." + i + ":8080");
        }

        assertThat(builder.build().members()).hasSize(64);
        assertThatThrownBy(() -> builder.member("http://10.0.1.1:8080"))
                .isExactlyInstanceOf(IAE).hasMessage("members: 65 (expected: <= 64)");
    }

    @Test
    void replacingMembersWithABadListLeavesTheBuilderUnchanged() {
        EndpointGroup.Builder builder = EndpointGroup.builder("http://orders").member("http://a:1");

        assertThatThrownBy(() -> builder.members("http://b:2", "http://b:2")).isExactlyInstanceOf(IAE);

        assertThat(builder.build().members()).containsExactly(URI.create("http://a:1"));
        assertThat(builder.members("http://c:3").build().members()).containsExactly(URI.create("http://c:3"));
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(EndpointGroup.of("http://orders", "http://127.0.0.1:8081", "http://127.0.0.1:8082"))
                .hasToString("EndpointGroup{service=http://orders:80, members=[http://127.0.0.1:8081, "
                        + "http://127.0.0.1:8082], loadBalancing=ROUND_ROBIN, healthCheck=none}");
        assertThat(EndpointGroup.builder("http://orders").member("http://a:1")
                .loadBalancing(LoadBalancing.LEAST_OUTSTANDING).healthCheck(HealthCheckPolicy.defaults()).build())
                .hasToString("EndpointGroup{service=http://orders:80, members=[http://a:1], "
                        + "loadBalancing=LEAST_OUTSTANDING, healthCheck=HealthCheckPolicy{path=\"/health\", "
                        + "expectedStatuses=[200, 399], interval=PT10S, timeout=PT2S, healthyThreshold=1, "
                        + "unhealthyThreshold=2}}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<EndpointGroup.Builder>> changes = List.of(
                b -> b.service("http://billing"),
                b -> b.member("http://127.0.0.1:8083"),
                b -> b.members("http://127.0.0.1:8082", "http://127.0.0.1:8081"),
                b -> b.loadBalancing(LoadBalancing.LEAST_OUTSTANDING),
                b -> b.healthCheck(HealthCheckPolicy.defaults()));
        EndpointGroup base = EndpointGroup.of("http://orders", "http://127.0.0.1:8081", "http://127.0.0.1:8082");

        PolicyEquality.assertEveryChangeMatters(base, EndpointGroup::toBuilder, EndpointGroup.Builder::build, changes);
        EndpointGroup checked = base.toBuilder().healthCheck(HealthCheckPolicy.defaults()).build();
        assertThat(checked.toBuilder().noHealthCheck().build()).isEqualTo(base);
        assertThat(EndpointGroup.of("http://orders:80", "http://127.0.0.1:8081/", "HTTP://127.0.0.1:8082"))
                .isEqualTo(base).hasSameHashCodeAs(base);
    }

    @Test
    void neverEchoesUserInfoInAMessage() {
        assertThatThrownBy(() -> EndpointGroup.builder("http://orders").member("http://admin:s3cret@10.0.0.1:8080"))
                .isExactlyInstanceOf(IAE)
                .hasMessage("member: \"http://***@10.0.0.1:8080\" (expected: no user-info)")
                .message().doesNotContain("s3cret");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void refusesBadValuesWithTheirWholeMessage(String name, ThrowingCallable call, Class<? extends Throwable> type,
            String message) {
        assertThatThrownBy(call).isExactlyInstanceOf(type).hasMessage(message);
    }

    private static Arguments refused(String name, ThrowingCallable call, Class<? extends Throwable> type, String message) {
        return arguments(name, call, type, message);
    }

    static Stream<Arguments> badValues() {
        String form = "scheme://host[:port]";
        return Stream.of(
                refused("service null", () -> EndpointGroup.builder(null), NPE, "service: null (expected: non-null)"),
                refused("service without scheme", () -> EndpointGroup.builder("orders"),
                        IAE, "service: \"orders\" (expected: scheme http or https in " + form + ")"),
                refused("service ftp", () -> EndpointGroup.builder("ftp://orders"),
                        IAE, "service: \"ftp://orders\" (expected: scheme http or https in " + form + ")"),
                refused("service with path", () -> EndpointGroup.builder("http://orders/api"),
                        IAE, "service: \"http://orders/api\" (expected: no path in " + form + ")"),
                refused("service with query", () -> EndpointGroup.builder("http://orders?x=1"),
                        IAE, "service: \"http://orders?x=1\" (expected: no query in " + form + ")"),
                refused("service with fragment", () -> EndpointGroup.builder("http://orders#top"),
                        IAE, "service: \"http://orders#top\" (expected: no fragment in " + form + ")"),
                refused("service with bad host", () -> EndpointGroup.builder("http://my_service"),
                        IAE, "service: \"http://my_service\" (expected: a valid host in " + form + ")"),
                refused("service opaque", () -> EndpointGroup.builder("http:orders"),
                        IAE, "service: \"http:orders\" (expected: a valid host in " + form + ")"),
                refused("service unparsable", () -> EndpointGroup.builder("http://[bad"),
                        IAE, "service: \"http://[bad\" (expected: " + form + ")"),
                refused("member port 0", () -> EndpointGroup.builder("http://orders").member("http://127.0.0.1:0"),
                        IAE, "member: \"http://127.0.0.1:0\" (expected: port in [1, 65535])"),
                refused("member port 65536", () -> EndpointGroup.builder("http://orders").member("http://127.0.0.1:65536"),
                        IAE, "member: \"http://127.0.0.1:65536\" (expected: port in [1, 65535])"),
                refused("member with path", () -> EndpointGroup.builder("http://orders").member("http://127.0.0.1:8081/api"),
                        IAE, "member: \"http://127.0.0.1:8081/api\" (expected: no path in " + form + ")"),
                refused("member null", () -> EndpointGroup.builder("http://orders").member((String) null),
                        NPE, "member: null (expected: non-null)"),
                refused("member URI null", () -> EndpointGroup.builder("http://orders").member((URI) null),
                        NPE, "member: null (expected: non-null)"),
                refused("member twice", () -> EndpointGroup.builder("http://orders").member("http://127.0.0.1:8081")
                        .member("HTTP://127.0.0.1:8081/"),
                        IAE, "member: \"HTTP://127.0.0.1:8081/\" (expected: not already a member)"),
                refused("members null", () -> EndpointGroup.builder("http://orders").members((String[]) null),
                        NPE, "members: null (expected: non-null)"),
                refused("loadBalancing null", () -> EndpointGroup.builder("http://orders").loadBalancing(null),
                        NPE, "loadBalancing: null (expected: non-null)"),
                refused("healthCheck null", () -> EndpointGroup.builder("http://orders").healthCheck(null),
                        NPE, "healthCheck: null (expected: non-null)"),
                refused("no member", () -> EndpointGroup.builder("http://orders").build(),
                        ISE, "members: [] (expected: at least one member)"),
                refused("of without members", () -> EndpointGroup.of("http://orders"),
                        ISE, "members: [] (expected: at least one member)"));
    }
}
