package dev.sturdy.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

    /** 1994-11-06T08:49:00Z, 37 seconds before RFC 9110's example date. */
    private static final long NOW = Instant.parse("1994-11-06T08:49:00Z").toEpochMilli();
    private static final long NEW_YEAR_2026 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long YEAR_MILLIS = 365L * 24 * 3600 * 1000;

    @ParameterizedTest(name = "[{0}] waits {1} ms")
    @CsvSource(delimiter = '|', value = {
        "120| 120000",
        "'  120\t'| 120000",
        "0| 0",
        "007| 7000",
        "31536000| 31536000000",
    })
    void deltaSecondsAreAWaitInSeconds(String value, long millis) {
        assertThat(RetryAfter.delayMillis(value, NOW)).isEqualTo(millis);
    }

    @ParameterizedTest(name = "[{0}] is unusable")
    @ValueSource(strings = {
        "31536001", "99999999999999999999999999", "-5", "+5", "1.5", "12abc", "1 2", "", "   ", "\t", "\n5",
        "0x10", "5s", "１２",
    })
    void deltaSecondsThatAreNegativeGarbageOrAbsurdlyLargeAreUnusable(String value) {
        assertThat(RetryAfter.delayMillis(value, NOW)).isEqualTo(RetryAfter.UNUSABLE).isEqualTo(-1);
    }

    @ParameterizedTest
    @NullSource
    void anAbsentValueIsUnusable(String value) {
        assertThat(RetryAfter.delayMillis(value, NOW)).isEqualTo(-1);
    }

    @ParameterizedTest(name = "[{0}] waits {1} ms")
    @CsvSource(delimiter = '|', value = {
        "Sun, 06 Nov 1994 08:49:37 GMT| 37000",
        "Sunday, 06-Nov-94 08:49:37 GMT| 37000",
        "Sun Nov  6 08:49:37 1994| 37000",
        "Sun Nov 06 08:49:37 1994| 37000",
        "sun, 06 nov 1994 08:49:37 gmt| 37000",
        "Sun, 6 Nov 1994 08:49:37 GMT| 37000",
        "'  Sun, 06 Nov 1994 08:49:37 GMT '| 37000",
        "Mon, 06 Nov 1994 08:49:37 GMT| 37000",
        "Sun, 06 Nov 1994 08:49:60 GMT| 60000",
        "Sun, 06 Nov 1994 08:50:00 GMT| 60000",
        "Sun, 06 Nov 1994 09:49:00 GMT| 3600000",
        "Mon, 06 Nov 1995 08:49:00 GMT| 31536000000",
    })
    void httpDatesInAllThreeFormsAreAWaitUntilThatTime(String value, long millis) {
        assertThat(RetryAfter.delayMillis(value, NOW)).isEqualTo(millis);
    }

    @ParameterizedTest(name = "[{0}] is now or past")
    @ValueSource(strings = {
        "Sun, 06 Nov 1994 08:49:00 GMT",
        "Sun, 06 Nov 1994 08:48:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Sat, 01 Jan 0000 00:00:00 GMT",
        "Sunday, 06-Nov-94 08:00:00 GMT",
        "Sun Nov  6 00:00:00 1994",
    })
    void aDateNowOrInThePastMeansRetryAtOnce(String value) {
        assertThat(RetryAfter.delayMillis(value, NOW)).isZero();
    }

    @ParameterizedTest(name = "[{0}] is unusable")
    @ValueSource(strings = {
        "Tue, 07 Nov 1995 08:49:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sun, 31 Feb 1995 08:49:37 GMT",
        "Sun, 29 Feb 1995 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49:37 GMT junk",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 19945 08:49:37 GMT",
        "Sun, 106 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 06-Nov 94 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT",
        "Sun Nov   6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37 1994 GMT",
        "Sun",
        "Sun,",
        "Sun, ",
        "GMT",
        "tomorrow",
    })
    void malformedOrFarFutureDatesAreUnusable(String value) {
        assertThat(RetryAfter.delayMillis(value, NOW)).isEqualTo(-1);
    }

    @Test
    void aTwoDigitYearMoreThanFiftyYearsAheadMeansTheCenturyBefore() {
        assertThat(RetryAfter.delayMillis("Thursday, 01-Jan-26 00:00:10 GMT", NEW_YEAR_2026)).isEqualTo(10_000);
        // 77 is 51 years ahead of 2026, so it is 1977: in the past.
        assertThat(RetryAfter.delayMillis("Saturday, 01-Jan-77 00:00:00 GMT", NEW_YEAR_2026)).isZero();
        // 76 is exactly 50 years ahead, so it stays 2076: far in the future, hence unusable (not 1976's 0).
        assertThat(RetryAfter.delayMillis("Wednesday, 01-Jan-76 00:00:00 GMT", NEW_YEAR_2026)).isEqualTo(-1);
    }

    @Test
    void extremeClocksNeitherOverflowNorThrow() {
        String date = "Sun, 06 Nov 1994 08:49:37 GMT";

        assertThat(RetryAfter.parse(date, Long.MIN_VALUE)).isEqualTo(-1);
        assertThat(RetryAfter.parse(date, Long.MAX_VALUE)).isZero();
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", Long.MIN_VALUE)).isIn(-1L, 0L);
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", Long.MAX_VALUE)).isIn(-1L, 0L);
        assertThat(RetryAfter.parse("120", Long.MIN_VALUE)).isEqualTo(120_000);
    }

    @Test
    void theLongestAcceptedWaitIsOneYear() {
        assertThat(RetryAfter.MAX_DELAY_MILLIS).isEqualTo(YEAR_MILLIS);
        assertThat(RetryAfter.delayMillis("Sun, 06 Nov 1994 08:49:01 GMT", NOW + 1000 - YEAR_MILLIS))
                .isEqualTo(YEAR_MILLIS);
        assertThat(RetryAfter.delayMillis("Sun, 06 Nov 1994 08:49:01 GMT", NOW + 999 - YEAR_MILLIS)).isEqualTo(-1);
    }

    @Test
    @Timeout(10)
    void hostileEightKibValuesAreRefusedCheaply() {
        String junk = "x".repeat(8192);
        String datePrefixed = "Sun, 06 Nov 1994 08:49:37 GMT" + " ".repeat(8192) + "x";
        String digits = "9".repeat(8192);
        String zerosThenOne = "0".repeat(8191) + "1";
        String spacesThenFive = " ".repeat(8191) + "5";

        for (int i = 0; i < 2_000; i++) {
            assertThat(RetryAfter.parse(junk, NOW)).isEqualTo(-1);
            assertThat(RetryAfter.parse(datePrefixed, NOW)).isEqualTo(-1);
            assertThat(RetryAfter.parse(digits, NOW)).isEqualTo(-1);
            assertThat(RetryAfter.parse(zerosThenOne, NOW)).isEqualTo(1000);
            assertThat(RetryAfter.parse(spacesThenFive, NOW)).isEqualTo(5000);
        }
    }
}
