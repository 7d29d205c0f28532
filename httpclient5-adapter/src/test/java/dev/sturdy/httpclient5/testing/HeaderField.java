package dev.sturdy.httpclient5.testing;

import java.util.Objects;

/**
 * One HTTP header line, name and value as sent (name case preserved; compare names ignoring case).
 *
 * @param name  the header name, never null or blank
 * @param value the header value, never null (may be empty)
 */
public record HeaderField(String name, String value) {

    /** Checks the name is a token and that neither part can break the header block. */
    public HeaderField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: an HTTP token)");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("value of " + name + " contains CR or LF");
        }
    }

    /** Returns whether this header's name equals {@code otherName}, ignoring case. */
    public boolean hasName(String otherName) {
        return name.equalsIgnoreCase(otherName);
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
