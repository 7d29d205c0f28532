package dev.sturdy.internal.retry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A mutable {@link AttemptView} for tests. It records whether header values were asked for, and once
 * built it allocates nothing when read (so allocation tests measure the decider alone).
 */
final class FakeAttempt implements AttemptView {

    String method = "GET";
    int status = -1;
    FailureClass failure = FailureClass.NONE;
    boolean dispatched = true;
    boolean bodyRepeatable = true;
    boolean override;
    final Map<String, List<String>> headers = new HashMap<>();
    int headerLookups;

    static FakeAttempt response(String method, int status) {
        FakeAttempt attempt = new FakeAttempt();
        attempt.method = method;
        attempt.status = status;
        return attempt;
    }

    static FakeAttempt failure(String method, FailureClass failure, boolean dispatched) {
        FakeAttempt attempt = new FakeAttempt();
        attempt.method = method;
        attempt.failure = failure;
        attempt.dispatched = dispatched;
        return attempt;
    }

    FakeAttempt header(String name, String value) {
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
    }

    FakeAttempt notRepeatable() {
        bodyRepeatable = false;
        return this;
    }

    FakeAttempt withOverride() {
        override = true;
        return this;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public FailureClass failure() {
        return failure;
    }

    @Override
    public boolean dispatched() {
        return dispatched;
    }

    @Override
    public boolean bodyRepeatable() {
        return bodyRepeatable;
    }

    @Override
    public boolean retryNonIdempotentOverride() {
        return override;
    }

    @Override
    public List<String> headerValues(String lowerCaseName) {
        headerLookups++;
        return headers.getOrDefault(lowerCaseName, List.of());
    }

    @Override
    public String toString() {
        return method + " status=" + status + " failure=" + failure + " dispatched=" + dispatched
                + " repeatable=" + bodyRepeatable + " override=" + override + " headers=" + headers;
    }
}
