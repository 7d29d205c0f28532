package dev.sturdy.httpclient5.faulttable;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects failed checks and reports them all at once, so a broken fault case shows every difference.
 * A light stand-in for AssertJ's {@code SoftAssertions}, whose proxies take seconds to generate on a
 * loaded machine (the first case of the table then hit its timeout). Not thread-safe.
 */
final class Expectations {

    private final List<AssertionError> failures = new ArrayList<>();

    /** Runs one check (plain AssertJ or JUnit assertions); a failure is kept and reported later. */
    void check(Runnable assertion) {
        try {
            assertion.run();
        } catch (AssertionError e) {
            failures.add(e);
        }
    }

    /** Throws one AssertionError listing every failed check, if any failed. */
    void assertAll(String subject) {
        if (failures.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder(subject).append(": ").append(failures.size())
                .append(failures.size() == 1 ? " check failed" : " checks failed");
        for (int i = 0; i < failures.size(); i++) {
            text.append("\n-- ").append(i + 1).append(" --\n").append(failures.get(i).getMessage());
        }
        AssertionError error = new AssertionError(text.toString());
        failures.forEach(error::addSuppressed);
        throw error;
    }
}
