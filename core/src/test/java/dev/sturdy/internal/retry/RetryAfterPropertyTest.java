package dev.sturdy.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.Seeds;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property tests: {@link RetryAfter} never throws and never returns a value outside
 * {@code {-1} ∪ [0, MAX_DELAY_MILLIS]}, whatever the input; valid values parse to their exact wait.
 * Parsing is tested through the non-catching {@code parse}, so a parser bug cannot hide behind the
 * public method's safety net.
 */
class RetryAfterPropertyTest {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter[] FORMATS = {IMF_FIXDATE, RFC_850, ASCTIME};
    private static final String DATE_ALPHABET = "0123456789 ,:-SunMonTueWedThuFriSatJanFebNovDecGMTday\t";
    private static final long EPOCH_2000 = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    private static final long EPOCH_2060 = Instant.parse("2060-01-01T00:00:00Z").toEpochMilli();

    @Test
    void validHttpDatesInEveryFormParseToTheirExactWait() {
        long seed = Seeds.seed("validHttpDatesInEveryFormParseToTheirExactWait");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 50_000; i++) {
            long now = EPOCH_2000 + random.nextLong(EPOCH_2060 - EPOCH_2000);
            long dateSeconds = Math.floorDiv(now, 1000) + random.nextLong(-3L * 365 * 86400, 3L * 365 * 86400);
            long dateMillis = dateSeconds * 1000;
            DateTimeFormatter format = FORMATS[random.nextInt(FORMATS.length)];
            String value = format.format(Instant.ofEpochMilli(dateMillis));

            long expected = dateMillis <= now ? 0 : dateMillis - now > RetryAfter.MAX_DELAY_MILLIS ? -1 : dateMillis - now;

            assertThat(RetryAfter.parse(value, now)).as(Seeds.describe(seed, "[" + value + "] at " + now))
                    .isEqualTo(expected);
        }
    }

    @Test
    void deltaSecondsParseExactlyWithAnyPaddingAndLeadingZeros() {
        long seed = Seeds.seed("deltaSecondsParseExactlyWithAnyPaddingAndLeadingZeros");
        SplittableRandom random = new SplittableRandom(seed);
        long maxSeconds = RetryAfter.MAX_DELAY_MILLIS / 1000;
        for (int i = 0; i < 50_000; i++) {
            long seconds = random.nextBoolean() ? random.nextLong(2 * maxSeconds) : random.nextLong(Long.MAX_VALUE);
            String value = whitespace(random) + "0".repeat(random.nextInt(4)) + seconds + whitespace(random);

            long expected = seconds <= maxSeconds ? seconds * 1000 : -1;

            assertThat(RetryAfter.parse(value, random.nextLong())).as(Seeds.describe(seed, "[" + value + "]"))
                    .isEqualTo(expected);
        }
    }

    @Test
    void neverThrowsAndStaysInRangeForRandomStrings() {
        long seed = Seeds.seed("neverThrowsAndStaysInRangeForRandomStrings");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            String value;
            switch (random.nextInt(6)) {
                case 0:
                    value = randomBytesAsLatin1(random, random.nextInt(64));
                    break;
                case 1:
                    value = randomChars(random, DATE_ALPHABET, random.nextInt(40));
                    break;
                case 2:
                    value = mutate(random, validDate(random));
                    break;
                case 3:
                    value = randomChars(random, "0123456789", 1 + random.nextInt(40));
                    break;
                case 4:
                    value = randomUnicode(random, random.nextInt(32));
                    break;
                default:
                    value = randomBytesAsLatin1(random, 8192);
                    break;
            }
            long now = randomNow(random);

            long result = RetryAfter.parse(value, now);

            assertThat(result).as(Seeds.describe(seed, "[" + abbreviate(value) + "] at " + now))
                    .satisfiesAnyOf(r -> assertThat(r).isEqualTo(-1),
                            r -> assertThat(r).isBetween(0L, RetryAfter.MAX_DELAY_MILLIS));
        }
    }

    @Test
    void nearValidDatesEitherParseToAPlausibleWaitOrAreUnusable() {
        long seed = Seeds.seed("nearValidDatesEitherParseToAPlausibleWaitOrAreUnusable");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++) {
            String value = mutate(random, validDate(random));
            long now = randomNow(random);

            long result = RetryAfter.delayMillis(value, now);

            assertThat(result).as(Seeds.describe(seed, "[" + value + "] at " + now))
                    .isGreaterThanOrEqualTo(-1).isLessThanOrEqualTo(RetryAfter.MAX_DELAY_MILLIS);
            assertThat(RetryAfter.parse(value, now)).as(Seeds.describe(seed, "[" + value + "] parse")).isEqualTo(result);
        }
    }

    private static String validDate(SplittableRandom random) {
        long millis = EPOCH_2000 + random.nextLong(EPOCH_2060 - EPOCH_2000);
        return FORMATS[random.nextInt(FORMATS.length)].format(Instant.ofEpochMilli(millis));
    }

    /** Replaces, deletes, inserts or duplicates a few characters. */
    private static String mutate(SplittableRandom random, String value) {
        StringBuilder sb = new StringBuilder(value);
        for (int edits = 1 + random.nextInt(3); edits > 0 && sb.length() > 0; edits--) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(4)) {
                case 0:
                    sb.setCharAt(at, DATE_ALPHABET.charAt(random.nextInt(DATE_ALPHABET.length())));
                    break;
                case 1:
                    sb.deleteCharAt(at);
                    break;
                case 2:
                    sb.insert(at, (char) random.nextInt(128));
                    break;
                default:
                    sb.insert(at, sb.charAt(at));
                    break;
            }
        }
        return sb.toString();
    }

    private static long randomNow(SplittableRandom random) {
        switch (random.nextInt(5)) {
            case 0:
                return Long.MIN_VALUE + random.nextInt(1000);
            case 1:
                return Long.MAX_VALUE - random.nextInt(1000);
            case 2:
                return random.nextLong();
            default:
                return EPOCH_2000 + random.nextLong(EPOCH_2060 - EPOCH_2000);
        }
    }

    private static String whitespace(SplittableRandom random) {
        return randomChars(random, " \t", random.nextInt(3));
    }

    private static String randomChars(SplittableRandom random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String randomBytesAsLatin1(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) random.nextInt(256));
        }
        return sb.toString();
    }

    private static String randomUnicode(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) random.nextInt(Character.MAX_VALUE + 1));
        }
        return sb.toString();
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...(" + value.length() + " chars)";
    }
}
