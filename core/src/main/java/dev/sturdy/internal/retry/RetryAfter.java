package dev.sturdy.internal.retry;

import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Parses an HTTP {@code Retry-After} value (RFC 9110 section 10.2.3) into a wait: delta-seconds, or an
 * HTTP-date in any of its three forms (IMF-fixdate {@code Sun, 06 Nov 1994 08:49:37 GMT}, obsolete RFC
 * 850 {@code Sunday, 06-Nov-94 08:49:37 GMT}, asctime {@code Sun Nov  6 08:49:37 1994}).
 *
 * <p>Hostile input is cheap and harmless: a value is trimmed, dates longer than
 * {@value #MAX_DATE_LENGTH} characters are refused before parsing, and no input makes
 * {@link #delayMillis} throw. Parsing is lenient where RFC 9110 encourages robustness (names are
 * case-insensitive, the day of month may have one digit, the weekday is not checked against the date)
 * and strict elsewhere (only {@code GMT}, no trailing text).
 *
 * <p>Thread-safety: stateless and thread-safe.
 */
public final class RetryAfter {

    /** Returned when the value is unusable: null, blank, garbage, negative or absurdly large. */
    public static final long UNUSABLE = -1;
    /** The longest wait accepted, one year in milliseconds; a longer one is taken as absurd and ignored. */
    public static final long MAX_DELAY_MILLIS = 365L * 24 * 60 * 60 * 1000;
    /** The longest HTTP-date accepted, in characters after trimming: {@value}. */
    public static final int MAX_DATE_LENGTH = 40;

    private static final long MAX_DELAY_SECONDS = MAX_DELAY_MILLIS / 1000;
    private static final long INVALID_DATE = Long.MIN_VALUE;
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    private static final String[] DAY_NAMES = {
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

    private RetryAfter() {
    }

    /**
     * Returns the wait a {@code Retry-After} value asks for. Never throws.
     *
     * @param value the header value, possibly null
     * @param nowEpochMillis the current time, milliseconds since the epoch (for HTTP-dates)
     * @return the wait in milliseconds ({@code 0} for a date in the past), or {@link #UNUSABLE} ({@code -1})
     *     when the value is null, blank, unparsable, negative or longer than {@link #MAX_DELAY_MILLIS}
     */
    public static long delayMillis(String value, long nowEpochMillis) {
        try {
            return parse(value, nowEpochMillis);
        } catch (RuntimeException unexpected) { // belt and braces: the parser itself does not throw
            return UNUSABLE;
        }
    }

    static long parse(String value, long nowEpochMillis) {
        if (value == null) {
            return UNUSABLE;
        }
        int start = 0;
        int end = value.length();
        while (start < end && isOptionalWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && isOptionalWhitespace(value.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return UNUSABLE;
        }
        if (isDigit(value.charAt(start))) {
            return parseDeltaSeconds(value, start, end);
        }
        if (end - start > MAX_DATE_LENGTH) {
            return UNUSABLE;
        }
        long dateMillis = new DateParser(value, start, end, nowEpochMillis).parse();
        if (dateMillis == INVALID_DATE) {
            return UNUSABLE;
        }
        if (nowEpochMillis >= dateMillis) {
            return 0;
        }
        if (nowEpochMillis < dateMillis - MAX_DELAY_MILLIS) {
            return UNUSABLE;
        }
        return dateMillis - nowEpochMillis;
    }

    private static long parseDeltaSeconds(String value, int start, int end) {
        long seconds = 0;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (!isDigit(c)) {
                return UNUSABLE;
            }
            if (seconds <= MAX_DELAY_SECONDS) { // stop accumulating once absurd; keep checking the digits
                seconds = seconds * 10 + (c - '0');
            }
        }
        return seconds > MAX_DELAY_SECONDS ? UNUSABLE : seconds * 1000;
    }

    private static boolean isOptionalWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** A cursor over one trimmed candidate HTTP-date; every step returns a failure value instead of throwing. */
    private static final class DateParser {

        private final String s;
        private final int end;
        private final long nowEpochMillis;
        private int pos;

        DateParser(String s, int start, int end, long nowEpochMillis) {
            this.s = s;
            this.pos = start;
            this.end = end;
            this.nowEpochMillis = nowEpochMillis;
        }

        long parse() {
            if (!dayName()) {
                return INVALID_DATE;
            }
            if (expect(',')) {
                return expect(' ') ? rfc1123OrRfc850() : INVALID_DATE;
            }
            return expect(' ') ? asctime() : INVALID_DATE;
        }

        /** {@code DD Mon YYYY HH:MM:SS GMT} or {@code DD-Mon-YY HH:MM:SS GMT}, after the day name. */
        private long rfc1123OrRfc850() {
            int day = digits(1, 2);
            if (day < 0) {
                return INVALID_DATE;
            }
            int month;
            int year;
            if (expect(' ')) {
                month = month();
                if (month < 0 || !expect(' ')) {
                    return INVALID_DATE;
                }
                year = digits(4, 4);
            } else if (expect('-')) {
                month = month();
                if (month < 0 || !expect('-')) {
                    return INVALID_DATE;
                }
                year = twoDigitYear(digits(2, 2));
            } else {
                return INVALID_DATE;
            }
            if (year < 0 || !expect(' ')) {
                return INVALID_DATE;
            }
            int secondOfDay = timeOfDay();
            if (secondOfDay < 0 || !expect(' ') || !gmt() || pos != end) {
                return INVALID_DATE;
            }
            return toEpochMillis(year, month, day, secondOfDay);
        }

        /** {@code Mon _D HH:MM:SS YYYY} or {@code Mon DD HH:MM:SS YYYY}, after the day name. */
        private long asctime() {
            int month = month();
            if (month < 0 || !expect(' ')) {
                return INVALID_DATE;
            }
            expect(' '); // a one-digit day is padded with a space
            int day = digits(1, 2);
            if (day < 0 || !expect(' ')) {
                return INVALID_DATE;
            }
            int secondOfDay = timeOfDay();
            if (secondOfDay < 0 || !expect(' ')) {
                return INVALID_DATE;
            }
            int year = digits(4, 4);
            if (year < 0 || pos != end) {
                return INVALID_DATE;
            }
            return toEpochMillis(year, month, day, secondOfDay);
        }

        /**
         * RFC 9110 section 5.6.7: a two-digit year that appears to be more than 50 years in the future is
         * the most recent past year with the same last two digits.
         */
        private int twoDigitYear(int twoDigits) {
            if (twoDigits < 0) {
                return -1;
            }
            int currentYear = LocalDate.ofEpochDay(Math.floorDiv(nowEpochMillis, 86_400_000L)).getYear();
            int year = currentYear - Math.floorMod(currentYear, 100) + twoDigits;
            if (year > currentYear + 50) {
                year -= 100;
            }
            return year >= 0 && year <= 9999 ? year : -1;
        }

        private static long toEpochMillis(int year, int month, int day, int secondOfDay) {
            if (day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
                return INVALID_DATE;
            }
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return (epochDay * 86_400L + secondOfDay) * 1000L;
        }

        /** {@code HH:MM:SS}; a second of 60 (a leap second) is accepted, as RFC 9110 allows. */
        private int timeOfDay() {
            int hour = digits(2, 2);
            if (hour < 0 || hour > 23 || !expect(':')) {
                return -1;
            }
            int minute = digits(2, 2);
            if (minute < 0 || minute > 59 || !expect(':')) {
                return -1;
            }
            int second = digits(2, 2);
            if (second < 0 || second > 60) {
                return -1;
            }
            return hour * 3600 + minute * 60 + second;
        }

        private boolean dayName() {
            int start = pos;
            while (pos < end && isLetter(s.charAt(pos))) {
                pos++;
            }
            return indexOfName(DAY_NAMES, start, pos - start) >= 0;
        }

        /** Returns the month 1..12, or -1. */
        private int month() {
            int start = pos;
            while (pos < end && isLetter(s.charAt(pos))) {
                pos++;
            }
            int index = indexOfName(MONTHS, start, pos - start);
            return index < 0 ? -1 : index + 1;
        }

        private boolean gmt() {
            if (end - pos >= 3 && s.regionMatches(true, pos, "GMT", 0, 3)) {
                pos += 3;
                return true;
            }
            return false;
        }

        private int indexOfName(String[] names, int start, int length) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].length() == length && s.regionMatches(true, start, names[i], 0, length)) {
                    return i;
                }
            }
            return -1;
        }

        /** Reads between {@code min} and {@code max} digits; returns their value, or -1 when too few. */
        private int digits(int min, int max) {
            int value = 0;
            int count = 0;
            while (count < max && pos < end && isDigit(s.charAt(pos))) {
                value = value * 10 + (s.charAt(pos) - '0');
                pos++;
                count++;
            }
            return count >= min ? value : -1;
        }

        private boolean expect(char c) {
            if (pos < end && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }
    }
}
