package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryOnTest {

    @Test
    void tokensAreEnvoysAndAzuresSpelling() {
        assertThat(RetryOn.values()).extracting(RetryOn::token).containsExactly(
                "5xx", "gateway-error", "reset", "connect-failure", "retriable-4xx", "refused-stream",
                "retriable-status-codes", "retriable-headers");
    }

    @ParameterizedTest
    @EnumSource(RetryOn.class)
    void fromTokenFindsEveryConditionByItsToken(RetryOn condition) {
        assertThat(RetryOn.fromToken(condition.token())).isSameAs(condition);
    }

    @ParameterizedTest
    @EnumSource(RetryOn.class)
    void printsAsItsToken(RetryOn condition) {
        assertThat(condition).hasToString(condition.token());
    }
}
