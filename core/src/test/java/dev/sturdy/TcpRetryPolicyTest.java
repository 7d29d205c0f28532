package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TcpRetryPolicyTest {

    @Test
    void defaultIsOneConnectAttempt() {
        assertThat(TcpRetryPolicy.defaults().maxConnectAttempts()).isEqualTo(1)
                .isEqualTo(TcpRetryPolicy.DEFAULT_MAX_CONNECT_ATTEMPTS);
        assertThat(TcpRetryPolicy.builder().build()).isEqualTo(TcpRetryPolicy.defaults());
    }

    @Test
    void factoryAndBuilderMakeEqualPolicies() {
        TcpRetryPolicy fromFactory = TcpRetryPolicy.maxConnectAttempts(3);

        assertThat(fromFactory.maxConnectAttempts()).isEqualTo(3);
        assertThat(fromFactory).isEqualTo(TcpRetryPolicy.builder().maxConnectAttempts(3).build())
                .hasSameHashCodeAs(TcpRetryPolicy.builder().maxConnectAttempts(3).build());
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(TcpRetryPolicy.maxConnectAttempts(3)).hasToString("TcpRetryPolicy{maxConnectAttempts=3}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<TcpRetryPolicy.Builder>> changes = List.of(b -> b.maxConnectAttempts(2));

        PolicyEquality.assertEveryChangeMatters(TcpRetryPolicy.defaults(), TcpRetryPolicy::toBuilder,
                TcpRetryPolicy.Builder::build, changes);
    }
}
