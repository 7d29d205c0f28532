package dev.sturdy;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Matches one response header for the {@link RetryOn#RETRIABLE_HEADERS} condition, as Envoy's
 * {@code retriable_headers} and the Azure Container Apps {@code httpRetryPolicy.matches.headers}.
 *
 * <p>The header name is case-insensitive (stored lower-case); the value match is case-sensitive, as in
 * Envoy. A header that occurs several times matches if any of its values matches. Only the first
 * {@value #MAX_EXAMINED_LENGTH} characters of a value are examined, so a hostile, huge header costs a
 * bounded amount of work: a value longer than that is matched as if it ended there.
 *
 * <p>Regular expressions use {@link java.util.regex.Pattern} syntax, must match the whole (examined)
 * value, and are compiled once, when the matcher is created.
 *
 * <p>Thread-safety: immutable and thread-safe.
 */
public final class HeaderMatch {

    /** How many characters of a header value are examined at most: {@value}. */
    public static final int MAX_EXAMINED_LENGTH = 8192;

    /**
     * How a {@link HeaderMatch} compares the header value.
     *
     * <p>Thread-safety: an enum, immutable and thread-safe.
     */
    public enum Kind {
        /** The value equals the expected string. */
        EXACT,
        /** The value starts with the expected string. */
        PREFIX,
        /** The value ends with the expected string. */
        SUFFIX,
        /** The whole value matches the regular expression. */
        REGEX,
        /** The header is present, whatever its value. */
        PRESENT,
        /** The value contains the expected string. */
        CONTAINS
    }

    private final String name;
    private final Kind kind;
    private final String value;
    private final Pattern pattern; // REGEX only

    private HeaderMatch(String name, Kind kind, String value, Pattern pattern) {
        this.name = name;
        this.kind = kind;
        this.value = value;
        this.pattern = pattern;
    }

    /**
     * Matches a header whose value equals {@code value} exactly (case-sensitive).
     *
     * @param name the header name (case-insensitive), an HTTP token
     * @param value the expected value, at most {@value #MAX_EXAMINED_LENGTH} characters; may be empty
     * @return the matcher
     * @throws IllegalArgumentException if the name is empty or not a token, or the value too long
     * @throws NullPointerException if an argument is null
     */
    public static HeaderMatch exact(String name, String value) {
        return of(name, Kind.EXACT, value, false);
    }

    /**
     * Matches a header whose value starts with {@code prefix} (case-sensitive).
     *
     * @param name the header name (case-insensitive), an HTTP token
     * @param prefix the expected prefix, non-empty, at most {@value #MAX_EXAMINED_LENGTH} characters
     * @return the matcher
     * @throws IllegalArgumentException if the name is empty or not a token, or the prefix empty or too long
     * @throws NullPointerException if an argument is null
     */
    public static HeaderMatch prefix(String name, String prefix) {
        return of(name, Kind.PREFIX, prefix, true);
    }

    /**
     * Matches a header whose (examined) value ends with {@code suffix} (case-sensitive).
     *
     * @param name the header name (case-insensitive), an HTTP token
     * @param suffix the expected suffix, non-empty, at most {@value #MAX_EXAMINED_LENGTH} characters
     * @return the matcher
     * @throws IllegalArgumentException if the name is empty or not a token, or the suffix empty or too long
     * @throws NullPointerException if an argument is null
     */
    public static HeaderMatch suffix(String name, String suffix) {
        return of(name, Kind.SUFFIX, suffix, true);
    }

    /**
     * Matches a header whose (examined) value contains {@code substring} (case-sensitive).
     *
     * @param name the header name (case-insensitive), an HTTP token
     * @param substring the expected substring, non-empty, at most {@value #MAX_EXAMINED_LENGTH} characters
     * @return the matcher
     * @throws IllegalArgumentException if the name is empty or not a token, or the substring empty or too long
     * @throws NullPointerException if an argument is null
     */
    public static HeaderMatch contains(String name, String substring) {
        return of(name, Kind.CONTAINS, substring, true);
    }

    /**
     * Matches a header whose whole (examined) value matches the regular expression {@code regex}. The
     * expression is compiled now, once.
     *
     * @param name the header name (case-insensitive), an HTTP token
     * @param regex a non-empty {@link java.util.regex.Pattern} expression
     * @return the matcher
     * @throws IllegalArgumentException if the name is empty or not a token, or the expression empty or
     *     invalid; the message names the header and carries the syntax error
     * @throws NullPointerException if an argument is null
     */
    public static HeaderMatch regex(String name, String regex) {
        String lowerName = checkName(name);
        Check.notNull(regex, "regex");
        if (regex.isEmpty()) {
            throw Check.argument("regex", Check.quote(regex), "non-empty");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            IllegalArgumentException error = Check.argument("regex", Check.quote(regex),
                    "a valid regular expression for header " + lowerName + ": " + e.getDescription()
                            + " near index " + e.getIndex());
            error.initCause(e);
            throw error;
        }
        return new HeaderMatch(lowerName, Kind.REGEX, regex, pattern);
    }

    /**
     * Matches when the header is present, whatever its value (even empty).
     *
     * @param name the header name (case-insensitive), an HTTP token
     * @return the matcher
     * @throws IllegalArgumentException if the name is empty or not a token
     * @throws NullPointerException if the name is null
     */
    public static HeaderMatch present(String name) {
        return new HeaderMatch(checkName(name), Kind.PRESENT, "", null);
    }

    private static HeaderMatch of(String name, Kind kind, String value, boolean nonEmpty) {
        String lowerName = checkName(name);
        Check.notNull(value, "value");
        if (nonEmpty && value.isEmpty()) {
            // As Envoy's StringMatcher: prefix, suffix and contains need at least one character.
            throw Check.argument("value", Check.quote(value), "non-empty");
        }
        if (value.length() > MAX_EXAMINED_LENGTH) {
            throw Check.argument("value.length", value.length(), "<= " + MAX_EXAMINED_LENGTH);
        }
        return new HeaderMatch(lowerName, kind, value, null);
    }

    /** Header names must be RFC 9110 tokens, as Envoy validates them in its header matchers. */
    private static String checkName(String name) {
        Check.notNull(name, "name");
        if (name.isEmpty()) {
            throw Check.argument("name", Check.quote(name), "non-empty");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw Check.argument("name", Check.quote(name), "an HTTP token (RFC 9110 field name)");
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static boolean isTokenChar(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /**
     * Returns the header name, lower-cased.
     *
     * @return the lower-case header name
     */
    public String name() {
        return name;
    }

    /**
     * Returns how the value is compared.
     *
     * @return the kind of match
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the expected value: the string for exact, prefix, suffix and contains, the expression
     * for regex, and {@code ""} for present.
     *
     * @return the expected value, never null
     */
    public String value() {
        return value;
    }

    /**
     * Tells whether one value of the header matches. Only the first {@value #MAX_EXAMINED_LENGTH}
     * characters of {@code headerValue} are examined. Allocation-free except for regular expressions,
     * which create one {@link java.util.regex.Matcher} per call.
     *
     * @param headerValue one value of the header named {@link #name()}, or null when it is absent
     * @return true when the value matches; false for null
     */
    public boolean matches(String headerValue) {
        if (headerValue == null) {
            return false;
        }
        int examined = Math.min(headerValue.length(), MAX_EXAMINED_LENGTH);
        switch (kind) {
            case PRESENT:
                return true;
            case EXACT:
                return value.length() == examined && headerValue.regionMatches(0, value, 0, examined);
            case PREFIX:
                return headerValue.startsWith(value); // value is at most MAX_EXAMINED_LENGTH long
            case SUFFIX:
                return value.length() <= examined
                        && headerValue.regionMatches(examined - value.length(), value, 0, value.length());
            case CONTAINS:
                return containsWithin(headerValue, examined);
            case REGEX:
                return pattern.matcher(headerValue).region(0, examined).matches();
            default:
                throw new AssertionError(kind);
        }
    }

    private boolean containsWithin(String headerValue, int examined) {
        if (headerValue.length() <= MAX_EXAMINED_LENGTH) {
            return headerValue.contains(value);
        }
        int last = examined - value.length();
        char first = value.charAt(0);
        for (int i = 0; i <= last; i++) {
            if (headerValue.charAt(i) == first && headerValue.regionMatches(i, value, 0, value.length())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HeaderMatch)) {
            return false;
        }
        HeaderMatch that = (HeaderMatch) o;
        return name.equals(that.name) && kind == that.kind && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return (31 * name.hashCode() + kind.ordinal()) * 31 + value.hashCode();
    }

    /**
     * Returns a readable form such as {@code x-ms-retriable exact "true"} or {@code retry-after present}.
     *
     * @return the name, the kind and, except for present, the quoted expected value
     */
    @Override
    public String toString() {
        String kindName = kind.name().toLowerCase(Locale.ROOT);
        return kind == Kind.PRESENT ? name + ' ' + kindName : name + ' ' + kindName + ' ' + Check.quote(value);
    }
}
