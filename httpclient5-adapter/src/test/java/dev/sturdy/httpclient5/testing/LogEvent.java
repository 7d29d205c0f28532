package dev.sturdy.httpclient5.testing;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.event.Level;

/**
 * One log event captured by {@link LogCapture}: logger, level, fully formatted message, throwable.
 *
 * <p>Immutable (the throwable is shared, not copied) and thread-safe.
 */
public final class LogEvent {

    private final long sequence;
    private final String loggerName;
    private final Level level;
    private final String message;
    private final Throwable throwable;
    private final String threadName;

    LogEvent(long sequence, String loggerName, Level level, String message, Throwable throwable, String threadName) {
        this.sequence = sequence;
        this.loggerName = loggerName;
        this.level = level;
        this.message = message;
        this.throwable = throwable;
        this.threadName = threadName;
    }

    /** The 1-based order of this event among all events captured in this JVM. */
    public long sequence() {
        return sequence;
    }

    /** The logger's name, e.g. {@code "dev.sturdy.httpclient5.internal.Call"}. */
    public String loggerName() {
        return loggerName;
    }

    /** The level it was logged at. */
    public Level level() {
        return level;
    }

    /**
     * The message with every argument formatted in (SLF4J {@code {}} substitution; a trailing
     * throwable argument also counts as the {@link #throwable()}). Markers and fluent-API key-value
     * pairs are included as SLF4J renders them for a plain logger.
     */
    public String message() {
        return message;
    }

    /** The throwable logged with the event, if any. */
    public Optional<Throwable> throwable() {
        return Optional.ofNullable(throwable);
    }

    /** The name of the thread that logged the event. */
    public String threadName() {
        return threadName;
    }

    /**
     * Whether {@code text} appears in the message, or in the {@code toString()} of the throwable or of
     * any of its causes and suppressed exceptions (what a log backend would print).
     */
    public boolean contains(String text) {
        if (message.contains(text)) {
            return true;
        }
        return throwable != null && throwableContains(throwable, text, new IdentityHashMap<>());
    }

    private static boolean throwableContains(Throwable t, String text, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, Boolean.TRUE) != null) {
            return false;
        }
        if (String.valueOf(t).contains(text)) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (throwableContains(suppressed, text, seen)) {
                return true;
            }
        }
        return throwableContains(t.getCause(), text, seen);
    }

    @Override
    public String toString() {
        return level + " " + loggerName + " [" + threadName + "] " + message
                + (throwable == null ? "" : " | " + throwable);
    }
}
