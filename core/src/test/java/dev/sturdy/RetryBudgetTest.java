package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryBudgetTest {

    @Test
    void defaultsAreTwentyPercentAndThreeConcurrentRetries() {
        RetryBudget budget = RetryBudget.defaults();

        assertThat(budget.percent()).isEqualTo(20.0).isEqualTo(RetryBudget.DEFAULT_PERCENT);
        assertThat(budget.minRetryConcurrency()).isEqualTo(3).isEqualTo(RetryBudget.DEFAULT_MIN_RETRY_CONCURRENCY);
        assertThat(budget.isUnlimited()).isFalse();
        assertThat(budget).isEqualTo(RetryBudget.of(20, 3)).hasSameHashCodeAs(RetryBudget.of(20, 3));
    }

    @ParameterizedTest(name = "{0} % min {1} of {2} active allows {3}")
    @CsvSource({
        "20, 3, 0, 3",
        "20, 3, 14, 3",
        "20, 3, 15, 3",
        "20, 3, 20, 4",
        "20, 3, 100, 20",
        "20, 3, 1000, 200",
        "29, 0, 100, 29",
        "0, 0, 1000, 0",
        "0, 5, 1000, 5",
        "100, 0, 7, 7",
        "12.5, 0, 9, 1",
        "20, 3, -10, 3",
        "100, 0, 9223372036854775807, 2147483647",
    })
    void allowsTheLargerOfTheMinimumAndTheShareOfActiveRequests(double percent, int min, long active, int allowed) {
        assertThat(RetryBudget.of(percent, min).allowedRetries(active)).isEqualTo(allowed);
    }

    @Test
    void unlimitedNeverRefuses() {
        RetryBudget unlimited = RetryBudget.unlimited();

        assertThat(unlimited.isUnlimited()).isTrue();
        assertThat(unlimited.allowedRetries(0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(unlimited.allowedRetries(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
        assertThat(RetryBudget.of(100, Integer.MAX_VALUE)).isEqualTo(unlimited);
    }

    @Test
    void allowedRetriesMatchesExactDecimalArithmeticForRandomBudgets() {
        long seed = Seeds.seed("allowedRetriesMatchesExactDecimalArithmeticForRandomBudgets");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 10_000; i++) {
            int percent = random.nextInt(101);
            int min = random.nextInt(20);
            long active = random.nextBoolean() ? random.nextInt(10_000) : random.nextLong(1L << 40);
            long expectedShare = BigDecimal.valueOf(percent).multiply(BigDecimal.valueOf(active))
                    .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR).longValueExact();
            int expected = (int) Math.min(Integer.MAX_VALUE, Math.max(min, expectedShare));

            assertThat(RetryBudget.of(percent, min).allowedRetries(active))
                    .as(Seeds.describe(seed, percent + " % min " + min + " of " + active))
                    .isEqualTo(expected);
        }
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(RetryBudget.of(12.5, 7)).hasToString("RetryBudget{percent=12.5, minRetryConcurrency=7}");
        assertThat(RetryBudget.unlimited()).hasToString("RetryBudget{percent=100.0, minRetryConcurrency=unlimited}");
    }

    @Test
    void equalityCoversBothFields() {
        assertThat(RetryBudget.of(20, 3)).isNotEqualTo(RetryBudget.of(20.5, 3)).isNotEqualTo(RetryBudget.of(20, 4));
        assertThat(RetryBudget.of(-0.0, 3)).isEqualTo(RetryBudget.of(0.0, 3));
    }
}
