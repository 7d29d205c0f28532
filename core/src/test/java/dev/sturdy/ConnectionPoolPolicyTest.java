package dev.sturdy;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ConnectionPoolPolicyTest {

    @Test
    void defaultsAreHundredConnectionsAnd1024PendingAndInFlightRequests() {
        ConnectionPoolPolicy policy = ConnectionPoolPolicy.defaults();

        assertThat(policy.maxConnections()).isEqualTo(100).isEqualTo(ConnectionPoolPolicy.DEFAULT_MAX_CONNECTIONS);
        assertThat(policy.maxConnectionsPerEndpoint()).isEqualTo(100);
        assertThat(policy.http1MaxPendingRequests()).isEqualTo(1024)
                .isEqualTo(ConnectionPoolPolicy.DEFAULT_HTTP1_MAX_PENDING_REQUESTS);
        assertThat(policy.http2MaxRequests()).isEqualTo(1024).isEqualTo(ConnectionPoolPolicy.DEFAULT_HTTP2_MAX_REQUESTS);
        assertThat(policy.maxPendingWait()).isEmpty().isEqualTo(ConnectionPoolPolicy.DEFAULT_MAX_PENDING_WAIT);
        assertThat(ConnectionPoolPolicy.builder().build()).isEqualTo(policy);
    }

    @Test
    void perEndpointLimitFollowsTheTotalUntilSetEvenThroughToBuilder() {
        ConnectionPoolPolicy followsTotal = ConnectionPoolPolicy.builder().maxConnections(40).build();

        ConnectionPoolPolicy raised = followsTotal.toBuilder().maxConnections(400).build();

        assertThat(followsTotal.maxConnectionsPerEndpoint()).isEqualTo(40);
        assertThat(raised.maxConnectionsPerEndpoint()).isEqualTo(400);
    }

    @Test
    void anExplicitPerEndpointLimitIsKeptAndDiffersFromTheImplicitOne() {
        ConnectionPoolPolicy explicit = ConnectionPoolPolicy.builder().maxConnectionsPerEndpoint(100).build();

        assertThat(explicit.maxConnectionsPerEndpoint()).isEqualTo(100);
        assertThat(explicit.toBuilder().maxConnections(400).build().maxConnectionsPerEndpoint()).isEqualTo(100);
        assertThat(explicit).isNotEqualTo(ConnectionPoolPolicy.defaults());
    }

    @Test
    void checksPerEndpointAgainstTotalOnlyAtBuildSoSetterOrderDoesNotMatter() {
        ConnectionPoolPolicy policy = ConnectionPoolPolicy.builder()
                .maxConnectionsPerEndpoint(300).maxConnections(500).build();

        assertThat(policy.maxConnectionsPerEndpoint()).isEqualTo(300);
    }

    @Test
    void acceptsZeroPendingRequestsMeaningNeverWait() {
        assertThat(ConnectionPoolPolicy.builder().http1MaxPendingRequests(0).build().http1MaxPendingRequests()).isZero();
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(ConnectionPoolPolicy.defaults()).hasToString("ConnectionPoolPolicy{maxConnections=100, "
                + "maxConnectionsPerEndpoint=100 (= maxConnections), http1MaxPendingRequests=1024, "
                + "http2MaxRequests=1024, maxPendingWait=connectTimeout}");
        assertThat(ConnectionPoolPolicy.builder().maxConnections(8).maxConnectionsPerEndpoint(2)
                .http1MaxPendingRequests(0).http2MaxRequests(16).maxPendingWait(ofMillis(500)).build())
                .hasToString("ConnectionPoolPolicy{maxConnections=8, maxConnectionsPerEndpoint=2, "
                        + "http1MaxPendingRequests=0, http2MaxRequests=16, maxPendingWait=PT0.5S}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<ConnectionPoolPolicy.Builder>> changes = List.of(
                b -> b.maxConnections(101),
                b -> b.maxConnectionsPerEndpoint(99),
                b -> b.http1MaxPendingRequests(1023),
                b -> b.http2MaxRequests(1025),
                b -> b.maxPendingWait(ofSeconds(1)));

        PolicyEquality.assertEveryChangeMatters(ConnectionPoolPolicy.defaults(), ConnectionPoolPolicy::toBuilder,
                ConnectionPoolPolicy.Builder::build, changes);
    }
}
