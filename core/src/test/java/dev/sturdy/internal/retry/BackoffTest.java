package dev.sturdy.internal.retry;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.Seeds;
import java.math.BigInteger;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "retry {0} waits below {1} ms")
    @CsvSource({"1, 1000", "2, 3000", "3, 7000", "4, 10000", "5, 10000", "64, 10000", "2147483647, 10000"})
    void boundGrowsAsTwoToTheNMinusOneTimesBaseUpToTheCap(int retry, long boundMillis) {
        Backoff backoff = Backoff.of(HttpRetryPolicy.defaults());

        assertThat(backoff.upperBoundNanos(retry)).isEqualTo(boundMillis * MS);
    }

    @Test
    void followsEnvoysTwentyFiveMillisecondExample() {
        Backoff backoff = new Backoff(ofMillis(25), ofMillis(250));

        assertThat(backoff.upperBoundNanos(1)).isEqualTo(25 * MS);
        assertThat(backoff.upperBoundNanos(2)).isEqualTo(75 * MS);
        assertThat(backoff.upperBoundNanos(3)).isEqualTo(175 * MS);
        assertThat(backoff.upperBoundNanos(4)).isEqualTo(250 * MS);
    }

    @Test
    void theDrawScalesTheBoundAndNeverReachesIt() {
        Backoff backoff = Backoff.of(HttpRetryPolicy.defaults());

        assertThat(backoff.delayNanos(3, 0.0)).isZero();
        assertThat(backoff.delayNanos(3, 0.5)).isEqualTo(3_500 * MS);
        assertThat(backoff.delayNanos(3, Math.nextDown(1.0))).isEqualTo(7_000 * MS - 1);
        assertThat(backoff.delayNanos(3, 1.0)).isEqualTo(7_000 * MS - 1);
    }

    @Test
    void drawsOutsideTheUnitIntervalAreClamped() {
        Backoff backoff = Backoff.of(HttpRetryPolicy.defaults());

        assertThat(backoff.delayNanos(1, -0.5)).isZero();
        assertThat(backoff.delayNanos(1, Double.NaN)).isZero();
        assertThat(backoff.delayNanos(1, Double.POSITIVE_INFINITY)).isEqualTo(1_000 * MS - 1);
    }

    @Test
    void aCapBelowTheBaseCapsEveryRetry() {
        Backoff backoff = new Backoff(ofSeconds(5), ofSeconds(2));

        assertThat(backoff.upperBoundNanos(1)).isEqualTo(2_000 * MS);
        assertThat(backoff.upperBoundNanos(40)).isEqualTo(2_000 * MS);
    }

    @Test
    void hugeDurationsSaturateInsteadOfOverflowing() {
        Duration century = Duration.ofDays(365L * 100);
        Backoff backoff = new Backoff(century, Duration.ofSeconds(Long.MAX_VALUE));
        Backoff beyondLongNanos = new Backoff(Duration.ofDays(365L * 1000), Duration.ofDays(365L * 1000));

        assertThat(backoff.capNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(backoff.upperBoundNanos(1)).isEqualTo(century.toNanos());
        assertThat(backoff.upperBoundNanos(2)).isEqualTo(Long.MAX_VALUE);
        assertThat(backoff.upperBoundNanos(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(backoff.delayNanos(Integer.MAX_VALUE, Math.nextDown(1.0))).isLessThan(Long.MAX_VALUE);
        assertThat(beyondLongNanos.baseNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(beyondLongNanos.upperBoundNanos(1)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aOneNanosecondBaseGrowsForSixtyTwoRetriesWithoutOverflow() {
        Backoff backoff = new Backoff(Duration.ofNanos(1), Duration.ofSeconds(Long.MAX_VALUE));

        assertThat(backoff.upperBoundNanos(62)).isEqualTo((1L << 62) - 1);
        assertThat(backoff.upperBoundNanos(63)).isEqualTo(Long.MAX_VALUE);
        assertThat(backoff.upperBoundNanos(1_000)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void refusesRetryNumbersBelowOneAndNonPositiveDurations() {
        Backoff backoff = Backoff.of(HttpRetryPolicy.defaults());

        assertThatThrownBy(() -> backoff.upperBoundNanos(0)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryNumber: 0 (expected: >= 1)");
        assertThatThrownBy(() -> backoff.delayNanos(-1, 0.5)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryNumber: -1 (expected: >= 1)");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, ofSeconds(1)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("initialDelay: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new Backoff(ofSeconds(1), null))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("maxInterval: null (expected: non-null)");
    }

    @Test
    void delayIsAlwaysInTheJitterWindowForRandomRetryNumbersDrawsAndDurations() {
        long seed = Seeds.seed("delayIsAlwaysInTheJitterWindowForRandomRetryNumbersDrawsAndDurations");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            long baseNanos = randomNanos(random);
            long capNanos = random.nextInt(10) == 0 ? randomNanos(random) : Math.max(baseNanos, randomNanos(random));
            Backoff backoff = new Backoff(Duration.ofNanos(baseNanos), Duration.ofNanos(capNanos));
            int retry = randomRetryNumber(random);
            double draw = randomDraw(random);

            long expectedBound = oracleBound(baseNanos, capNanos, retry);
            long delay = backoff.delayNanos(retry, draw);

            String detail = "base=" + baseNanos + " cap=" + capNanos + " retry=" + retry + " draw=" + draw;
            assertThat(backoff.upperBoundNanos(retry)).as(Seeds.describe(seed, detail)).isEqualTo(expectedBound);
            assertThat(delay).as(Seeds.describe(seed, detail)).isGreaterThanOrEqualTo(0).isLessThan(expectedBound);
        }
    }

    /** min(cap, (2^N - 1) * base) in exact arithmetic; for N >= 63 the product exceeds any long cap. */
    private static long oracleBound(long baseNanos, long capNanos, int retry) {
        if (retry >= 63) {
            return capNanos;
        }
        BigInteger product = BigInteger.ONE.shiftLeft(retry).subtract(BigInteger.ONE).multiply(BigInteger.valueOf(baseNanos));
        return product.min(BigInteger.valueOf(capNanos)).longValueExact();
    }

    private static long randomNanos(SplittableRandom random) {
        switch (random.nextInt(4)) {
            case 0:
                return 1 + random.nextInt(1_000);
            case 1:
                return 1 + random.nextLong(60_000 * MS);
            case 2:
                return 1 + random.nextLong(Long.MAX_VALUE - 1);
            default:
                return Long.MAX_VALUE - random.nextInt(3);
        }
    }

    private static int randomRetryNumber(SplittableRandom random) {
        switch (random.nextInt(4)) {
            case 0:
                return 1 + random.nextInt(10);
            case 1:
                return 1 + random.nextInt(80);
            case 2:
                return Integer.MAX_VALUE - random.nextInt(3);
            default:
                return 1 + random.nextInt(Integer.MAX_VALUE);
        }
    }

    private static double randomDraw(SplittableRandom random) {
        switch (random.nextInt(8)) {
            case 0:
                return 0.0;
            case 1:
                return Math.nextDown(1.0);
            default:
                return random.nextDouble();
        }
    }
}
