package dev.sturdy;

import java.time.Duration;

/**
 * Validation helpers producing sturdy's one message format, {@code field: value (expected: constraint)}.
 * Single-field checks throw {@link IllegalArgumentException}; {@link #state} builds the
 * {@link IllegalStateException} used for cross-field checks in {@code build()}.
 */
final class Check {

    private Check() {
    }

    static String message(String field, Object value, String expected) {
        return field + ": " + value + " (expected: " + expected + ")";
    }

    static <T> T notNull(T value, String field) {
        if (value == null) {
            throw new NullPointerException(message(field, null, "non-null"));
        }
        return value;
    }

    static IllegalArgumentException argument(String field, Object value, String expected) {
        return new IllegalArgumentException(message(field, value, expected));
    }

    static IllegalStateException state(String field, Object value, String expected) {
        return new IllegalStateException(message(field, value, expected));
    }

    static Duration positive(Duration value, String field) {
        notNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw argument(field, value, "> 0");
        }
        return value;
    }

    static int atLeast(int value, int min, String field) {
        if (value < min) {
            throw argument(field, value, ">= " + min);
        }
        return value;
    }

    static int inRange(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw argument(field, value, "in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A string value as it appears in messages: quoted, so empty and blank values are visible. */
    static String quote(String value) {
        return value == null ? "null" : '"' + value + '"';
    }
}
