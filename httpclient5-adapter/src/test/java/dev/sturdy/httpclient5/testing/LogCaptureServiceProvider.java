package dev.sturdy.httpclient5.testing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J 2 binding of the adapter's tests: every logger has every level enabled and hands each
 * event to {@link LogCapture}. Registered in
 * {@code src/test/resources/META-INF/services/org.slf4j.spi.SLF4JServiceProvider}; nothing is printed
 * unless the system property {@code sturdy.logcapture.echo} names a level (e.g. {@code DEBUG}), then
 * events at or above it also go to {@code System.err}.
 *
 * <p>Instantiated by SLF4J's {@code ServiceLoader}; tests use {@link LogCapture}, not this class.
 */
public final class LogCaptureServiceProvider implements SLF4JServiceProvider {

    /** The SLF4J API version this provider is written against. */
    public static final String REQUESTED_API_VERSION = "2.0.99";

    private volatile ILoggerFactory loggerFactory;
    private volatile IMarkerFactory markerFactory;
    private volatile MDCAdapter mdcAdapter;

    /** Called by {@code ServiceLoader}. */
    public LogCaptureServiceProvider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggerFactory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markerFactory;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }

    @Override
    public String getRequestedApiVersion() {
        return REQUESTED_API_VERSION;
    }

    @Override
    public void initialize() {
        loggerFactory = new CapturingLoggerFactory();
        markerFactory = new BasicMarkerFactory();
        mdcAdapter = new BasicMDCAdapter();
    }

    /** Hands out one {@link CapturingLogger} per name. */
    static final class CapturingLoggerFactory implements ILoggerFactory {

        private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

        @Override
        public Logger getLogger(String name) {
            return loggers.computeIfAbsent(name, CapturingLogger::new);
        }
    }

    /** A logger with every level enabled that formats each event and records it in {@link LogCapture}. */
    static final class CapturingLogger extends LegacyAbstractLogger {

        CapturingLogger(String name) {
            this.name = name;
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            Throwable cause = throwable;
            if (cause == null && arguments != null && arguments.length > 0
                    && arguments[arguments.length - 1] instanceof Throwable last) {
                cause = last; // SLF4J convention: a trailing throwable argument is the event's throwable
            }
            String message = arguments == null || arguments.length == 0
                    ? pattern : MessageFormatter.basicArrayFormat(pattern, arguments);
            LogCapture.record(name, level, String.valueOf(message), cause);
        }
    }
}
