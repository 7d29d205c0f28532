package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** LogCapture is the SLF4J binding of the test class path and records every event, formatted. */
class LogCaptureTest {

    private static final Logger LOG = LoggerFactory.getLogger("dev.sturdy.test.LogCaptureTest");
    private static final String SECRET = "s3cr3t-token-7f1c";

    @Test
    void isTheBoundSlf4jProvider() {
        assertThat(LogCapture.isInstalled()).isTrue();
        assertThat(LOG.isTraceEnabled()).isTrue();
    }

    @Test
    void recordsEveryLevelWithItsFormattedMessageAndThrowable() {
        IOException failure = new IOException("boom");
        try (LogCapture logs = LogCapture.start()) {
            LOG.trace("t {}", 1);
            LOG.debug("retrying {} after {} ms", "GET", 250);
            LOG.info("i {} {} {}", 1, 2, 3);
            LOG.warn("w", failure);
            LOG.error("e {}", "x", failure); // a trailing throwable argument is the event's throwable

            assertThat(logs.events()).extracting(LogEvent::level, LogEvent::message).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(Level.TRACE, "t 1"),
                    org.assertj.core.groups.Tuple.tuple(Level.DEBUG, "retrying GET after 250 ms"),
                    org.assertj.core.groups.Tuple.tuple(Level.INFO, "i 1 2 3"),
                    org.assertj.core.groups.Tuple.tuple(Level.WARN, "w"),
                    org.assertj.core.groups.Tuple.tuple(Level.ERROR, "e x"));
            assertThat(logs.events().get(3).throwable()).containsSame(failure);
            assertThat(logs.events().get(4).throwable()).containsSame(failure);
            assertThat(logs.events().get(0).throwable()).isEmpty();
            assertThat(logs.events().get(0).loggerName()).isEqualTo("dev.sturdy.test.LogCaptureTest");
            assertThat(logs.events().get(0).threadName()).isEqualTo(Thread.currentThread().getName());
            assertThat(logs.events("dev.sturdy", Level.DEBUG)).extracting(LogEvent::message)
                    .containsExactly("retrying GET after 250 ms");
            assertThat(logs.events("org.apache")).isEmpty();
        }
    }

    @Test
    void recordsFluentApiKeyValues() {
        try (LogCapture logs = LogCapture.start()) {
            LOG.atDebug().addKeyValue("attempt", 2).log("retry scheduled");

            assertThat(logs.events()).singleElement()
                    .satisfies(e -> assertThat(e.message()).contains("attempt=2").contains("retry scheduled"));
        }
    }

    @Test
    void seesOnlyEventsBetweenStartAndClose() {
        LOG.info("before");
        LogCapture logs = LogCapture.start();
        LOG.info("during");
        logs.close();
        LOG.info("after");

        assertThat(logs.events()).extracting(LogEvent::message).containsExactly("during");
    }

    @Test
    void findsForbiddenTextInMessagesAndInNestedThrowables() {
        try (LogCapture logs = LogCapture.start()) {
            LOG.info("clean");
            LOG.debug("failed", new IllegalStateException("outer", new IOException("token=" + SECRET)));

            assertThat(logs.eventsContaining(SECRET)).extracting(LogEvent::message).containsExactly("failed");
            assertThatThrownBy(() -> logs.assertNoEventContains(SECRET))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("1 log events from any logger contain the forbidden text (17 chars):\n"
                            + "  DEBUG dev.sturdy.test.LogCaptureTest [")
                    .hasMessageContaining("failed | java.lang.IllegalStateException: outer");
            logs.assertNoEventContains(SECRET, "org.apache");
            logs.assertNoEventContains("not logged");
        }
    }

    @Test
    void capturesHttpClientsOwnDebugLoggingIncludingHeaders() throws Exception {
        try (FaultServer server = FaultServer.start(); TestClient client = TestClient.create();
                LogCapture logs = LogCapture.start()) {
            HttpGet get = new HttpGet(server.uri("/a"));
            get.addHeader("Authorization", "Bearer " + SECRET);

            client.execute(get);

            assertThat(logs.events("org.apache.hc.client5.http.headers", Level.DEBUG))
                    .anySatisfy(e -> assertThat(e.message()).contains(SECRET));
            logs.assertNoEventContains(SECRET, "dev.sturdy");
        }
    }
}
