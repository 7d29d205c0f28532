package dev.sturdy.httpclient5.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Captures, in memory, every SLF4J event logged in this JVM while it is open, at every level, from
 * every logger (sturdy's and HttpClient's own).
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *     client.execute(requestWithSecretToken, handler);
 *     logs.assertNoEventContains(SECRET);                               // no logger leaked it
 *     assertThat(logs.events("dev.sturdy", Level.DEBUG)).anyMatch(e -> e.message().contains("retry"));
 * }
 * }</pre>
 *
 * <p>Backed by {@link LogCaptureServiceProvider}, the SLF4J provider of the test class path.
 * {@link #start()} fails fast when another provider won, so an assertion can never pass vacuously.
 * Events are global: a capture sees events from all threads (HttpClient's I/O threads included), so
 * captures in tests that run in parallel see each other's events. At most {@value #MAX_EVENTS}
 * events are kept; a capture whose events were dropped fails instead of answering.
 *
 * <p>Beware: HttpClient logs request and response headers at DEBUG ({@code org.apache.hc.client5.http.headers})
 * and raw bytes ({@code org.apache.hc.client5.http.wire}), so a secret sent in a header always
 * appears there; assert on {@code "dev.sturdy"} loggers, or exclude those two, for "we never log it".
 *
 * <p>Thread-safe.
 */
public final class LogCapture implements AutoCloseable {

    /** The most events kept in memory (older ones are dropped). */
    public static final int MAX_EVENTS = 200_000;

    private static final Object LOCK = new Object();
    // guarded by LOCK
    private static final ArrayDeque<LogEvent> EVENTS = new ArrayDeque<>();
    private static long lastSequence;
    private static final Level ECHO_LEVEL = echoLevel();

    private final long afterSequence;
    private volatile long upToSequence = Long.MAX_VALUE;

    private LogCapture(long afterSequence) {
        this.afterSequence = afterSequence;
    }

    /**
     * Starts capturing: the returned capture sees every event logged from now until {@link #close()}.
     *
     * @throws IllegalStateException if SLF4J is not bound to {@link LogCaptureServiceProvider}
     */
    public static LogCapture start() {
        if (!isInstalled()) {
            throw new IllegalStateException("SLF4J is bound to " + LoggerFactory.getILoggerFactory().getClass().getName()
                    + ", not to LogCaptureServiceProvider: another provider is on the test class path; run with "
                    + "-Dslf4j.provider=" + LogCaptureServiceProvider.class.getName());
        }
        synchronized (LOCK) {
            return new LogCapture(lastSequence);
        }
    }

    /** Whether SLF4J in this JVM is bound to {@link LogCaptureServiceProvider}. */
    public static boolean isInstalled() {
        return LoggerFactory.getILoggerFactory() instanceof LogCaptureServiceProvider.CapturingLoggerFactory;
    }

    static void record(String loggerName, Level level, String message, Throwable throwable) {
        LogEvent event;
        synchronized (LOCK) {
            event = new LogEvent(++lastSequence, loggerName, level, message, throwable,
                    Thread.currentThread().getName());
            if (EVENTS.size() == MAX_EVENTS) {
                EVENTS.removeFirst();
            }
            EVENTS.addLast(event);
        }
        if (ECHO_LEVEL != null && level.toInt() >= ECHO_LEVEL.toInt()) {
            System.err.println(event);
        }
    }

    /** Every event captured, in order. */
    public List<LogEvent> events() {
        return select(e -> true);
    }

    /** The events of loggers whose name starts with {@code loggerPrefix} (e.g. {@code "dev.sturdy"}). */
    public List<LogEvent> events(String loggerPrefix) {
        return select(e -> e.loggerName().startsWith(loggerPrefix));
    }

    /** The events at exactly {@code level} of loggers whose name starts with {@code loggerPrefix}. */
    public List<LogEvent> events(String loggerPrefix, Level level) {
        return select(e -> e.level() == level && e.loggerName().startsWith(loggerPrefix));
    }

    /** The events whose message or throwable contains {@code text} (see {@link LogEvent#contains}). */
    public List<LogEvent> eventsContaining(String text) {
        return select(e -> e.contains(text));
    }

    /**
     * Asserts that no captured event, from any logger, contains {@code text}.
     *
     * @throws AssertionError listing the offending events
     */
    public void assertNoEventContains(String text) {
        failIfAny(eventsContaining(text), "from any logger", text);
    }

    /**
     * Asserts that no captured event of a logger whose name starts with {@code loggerPrefix} contains
     * {@code text}.
     *
     * @throws AssertionError listing the offending events
     */
    public void assertNoEventContains(String text, String loggerPrefix) {
        List<LogEvent> offending = select(e -> e.loggerName().startsWith(loggerPrefix) && e.contains(text));
        failIfAny(offending, "from loggers " + loggerPrefix + "*", text);
    }

    /** Stops this capture: later events are not part of it. Idempotent; the events stay readable. */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (upToSequence == Long.MAX_VALUE) {
                upToSequence = lastSequence;
            }
        }
    }

    private List<LogEvent> select(Predicate<LogEvent> filter) {
        synchronized (LOCK) {
            LogEvent oldest = EVENTS.peekFirst();
            if (oldest != null && oldest.sequence() > afterSequence + 1) {
                throw new IllegalStateException("log capture overflowed: events " + (afterSequence + 1) + " to "
                        + (oldest.sequence() - 1) + " were dropped (more than " + MAX_EVENTS + " kept)");
            }
            List<LogEvent> selected = new ArrayList<>();
            for (LogEvent event : EVENTS) {
                if (event.sequence() > afterSequence && event.sequence() <= upToSequence && filter.test(event)) {
                    selected.add(event);
                }
            }
            return selected;
        }
    }

    private static void failIfAny(List<LogEvent> offending, String where, String text) {
        if (!offending.isEmpty()) {
            throw new AssertionError(offending.size() + " log events " + where + " contain the forbidden text ("
                    + text.length() + " chars):\n  "
                    + offending.stream().map(LogEvent::toString).collect(Collectors.joining("\n  ")));
        }
    }

    private static Level echoLevel() {
        String name = System.getProperty("sturdy.logcapture.echo", "").trim();
        if (name.isEmpty()) {
            return null;
        }
        try {
            return Level.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
