package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.TcpRetryPolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.AttemptFailedEvent;
import dev.sturdy.event.DelaySource;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.event.RetriesExhaustedEvent;
import dev.sturdy.event.RetryBudgetExceededEvent;
import dev.sturdy.event.RetryScheduledEvent;
import dev.sturdy.event.TimeoutEvent;
import dev.sturdy.event.TimeoutKind;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.LogCapture;
import dev.sturdy.httpclient5.testing.LogEvent;
import dev.sturdy.httpclient5.testing.RefusingPort;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * SPEC 7: every decision is observable: listener events with the endpoint and attempt numbers, exact
 * counters per client and per endpoint, retries logged at DEBUG, a failing listener changing nothing,
 * and no secret (header value, query, user-info, body) in any log line, event or exception.
 */
class ObservabilityTest {

    private static final Duration TEST_BOUND = Duration.ofSeconds(15);
    /** A draw of 0.5 makes backoff N exactly half its bound: 50, 150, 350 ms for a 100 ms base. */
    private static final Seams NO_SLEEP_HALF_DRAW = Seams.SYSTEM.withSleeper(nanos -> { }).withRandom(() -> 0.5);
    private static final String STURDY_LOGGER = "dev.sturdy.httpclient5";

    private static final ResilienceCounter[] REPORTED = {
        ResilienceCounter.RQ_TOTAL, ResilienceCounter.RQ_RETRY, ResilienceCounter.RQ_RETRY_SUCCESS,
        ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED, ResilienceCounter.RQ_RETRY_OVERFLOW, ResilienceCounter.RQ_TIMEOUT,
        ResilienceCounter.CX_CONNECT_FAIL,
    };

    /** Records every event, in order. */
    static final class RecordingListener implements ResilienceListener {
        final List<Object> events = new CopyOnWriteArrayList<>();

        @Override
        public void onAttemptFailed(AttemptFailedEvent event) {
            events.add(event);
        }

        @Override
        public void onRetryScheduled(RetryScheduledEvent event) {
            events.add(event);
        }

        @Override
        public void onRetriesExhausted(RetriesExhaustedEvent event) {
            events.add(event);
        }

        @Override
        public void onRetryBudgetExceeded(RetryBudgetExceededEvent event) {
            events.add(event);
        }

        @Override
        public void onTimeout(TimeoutEvent event) {
            events.add(event);
        }

        static String endpointOf(Object event) {
            if (event instanceof AttemptFailedEvent e) {
                return e.endpoint();
            } else if (event instanceof RetryScheduledEvent e) {
                return e.endpoint();
            } else if (event instanceof RetriesExhaustedEvent e) {
                return e.endpoint();
            } else if (event instanceof RetryBudgetExceededEvent e) {
                return e.endpoint();
            }
            return ((TimeoutEvent) event).endpoint();
        }

        <T> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
        }
    }

    /** Throws from every method. */
    static final class ThrowingListener implements ResilienceListener {
        @Override
        public void onAttemptFailed(AttemptFailedEvent event) {
            throw new IllegalStateException("listener boom");
        }

        @Override
        public void onRetryScheduled(RetryScheduledEvent event) {
            throw new IllegalStateException("listener boom");
        }

        @Override
        public void onRetriesExhausted(RetriesExhaustedEvent event) {
            throw new IllegalStateException("listener boom");
        }

        @Override
        public void onTimeout(TimeoutEvent event) {
            throw new IllegalStateException("listener boom");
        }

        @Override
        public String toString() {
            return "ThrowingListener";
        }
    }

    private static HttpRetryPolicy.Builder retries(int maxRetries) {
        return HttpRetryPolicy.builder().maxRetries(maxRetries).backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    private static ResiliencePolicy policy(HttpRetryPolicy retry, TimeoutPolicy timeouts, ResilienceListener listener) {
        return ResiliencePolicy.builder().timeouts(timeouts).retry(retry).listener(listener).build();
    }

    private static TimeoutPolicy timeouts() {
        return TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofSeconds(10)).build();
    }

    /** The reported counters of the client, or of one endpoint, by stat name. */
    private static Map<String, Long> counters(ResilienceMetrics metrics, String endpoint) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (ResilienceCounter c : REPORTED) {
            values.put(c.statName(), endpoint == null ? metrics.get(c) : metrics.get(endpoint, c));
        }
        return values;
    }

    /** Expected counters: the named ones as given, every other reported counter 0. */
    private static Map<String, Long> expected(Object... nameValue) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (ResilienceCounter c : REPORTED) {
            values.put(c.statName(), 0L);
        }
        for (int i = 0; i < nameValue.length; i += 2) {
            values.put((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        }
        return values;
    }

    @Test
    void retriesPublishFailedAttemptsScheduledRetriesWithTheirDelaySourceAndExhaustion() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            try (FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(3).build(), timeouts(), listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.respond(503), Fault.respond(503).header("Retry-After", "1"));
                String ep = server.baseUrl();

                int status = client.execute(new HttpGet(server.uri("/orders?page=1")), r -> r.getCode());

                assertThat(status).isEqualTo(503);
                assertThat(listener.events).containsExactly(
                        new AttemptFailedEvent("GET", ep, 1, "status 503"),
                        new RetryScheduledEvent("GET", ep, 1, "5xx", Duration.ofMillis(50), DelaySource.BACKOFF),
                        new AttemptFailedEvent("GET", ep, 2, "status 503"),
                        new RetryScheduledEvent("GET", ep, 2, "5xx", Duration.ofSeconds(1), DelaySource.RETRY_AFTER),
                        new AttemptFailedEvent("GET", ep, 3, "status 503"),
                        new RetryScheduledEvent("GET", ep, 3, "5xx", Duration.ofMillis(350), DelaySource.BACKOFF),
                        new AttemptFailedEvent("GET", ep, 4, "status 503"),
                        new RetriesExhaustedEvent("GET", ep, 4, "retries exhausted"));
                Map<String, Long> expected = expected("rq_total", 4, "rq_retry", 3, "rq_retry_limit_exceeded", 1);
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected);
                assertThat(counters(client.metrics(), ep)).as("endpoint counters").isEqualTo(expected);
                assertThat(client.metrics().endpoints()).containsExactly(ep);
            }
        });
    }

    @Test
    void aRetryThatSucceedsIsCountedAsRetrySuccessAndPublishesNoExhaustion() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(3).build(), timeouts(), listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.resetAfterRequest(), Fault.respond(502));
                String ep = server.baseUrl();

                int status = client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(listener.events).containsExactly(
                        new AttemptFailedEvent("GET", ep, 1, "reset (SocketException)"),
                        new RetryScheduledEvent("GET", ep, 1, "reset", Duration.ofMillis(50), DelaySource.BACKOFF),
                        new AttemptFailedEvent("GET", ep, 2, "status 502"),
                        new RetryScheduledEvent("GET", ep, 2, "5xx", Duration.ofMillis(150), DelaySource.BACKOFF));
                Map<String, Long> expected = expected("rq_total", 3, "rq_retry", 2, "rq_retry_success", 1);
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected);
                assertThat(counters(client.metrics(), ep)).as("endpoint counters").isEqualTo(expected);
            }
        });
    }

    @Test
    void aRetryRefusedByTheBudgetPublishesBudgetExceededAndEndsTheCall() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            // 0 % and no minimum: no retry is ever allowed
            HttpRetryPolicy noBudget = retries(3).budget(RetryBudget.of(0.0, 0)).build();
            try (FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(noBudget, timeouts(), listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                String ep = server.baseUrl();

                int status = client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());

                assertThat(status).isEqualTo(503);
                assertThat(server.requestCount()).isEqualTo(1);
                // the order of the first two differs between a failed response and a failed exchange
                assertThat(listener.events).containsExactlyInAnyOrder(
                        new AttemptFailedEvent("GET", ep, 1, "status 503"),
                        new RetryBudgetExceededEvent("GET", ep, 1, 0, 0),
                        new RetriesExhaustedEvent("GET", ep, 1, "retry budget exhausted"));
                assertThat(listener.events.get(listener.events.size() - 1))
                        .isEqualTo(new RetriesExhaustedEvent("GET", ep, 1, "retry budget exhausted"));
                Map<String, Long> expected = expected("rq_total", 1, "rq_retry_overflow", 1);
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected);
                assertThat(counters(client.metrics(), ep)).as("endpoint counters").isEqualTo(expected);
            }
        });
    }

    @Test
    void aPerTryTimeoutPublishesATimeoutEventAndIsRetried() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            // per try 1 s: the retry opens a new connection, which on a loaded machine can take a few hundred ms;
            // it must be answered within one per-try window or a third attempt changes the events
            TimeoutPolicy perTry = TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(5))
                    .perTryTimeout(Duration.ofSeconds(1)).build();
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(3).build(), perTry, listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.silent());
                String ep = server.baseUrl();

                int status = client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(listener.events).containsExactly(
                        new TimeoutEvent("GET", ep, TimeoutKind.PER_TRY, Duration.ofSeconds(1), 1),
                        new AttemptFailedEvent("GET", ep, 1, "per-try-timeout (PerTryTimeoutException)"),
                        new RetryScheduledEvent("GET", ep, 1, "per-try-timeout", Duration.ofMillis(50), DelaySource.BACKOFF));
                Map<String, Long> expected = expected("rq_total", 2, "rq_retry", 1, "rq_retry_success", 1, "rq_timeout", 1);
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected);
                assertThat(counters(client.metrics(), ep)).as("endpoint counters").isEqualTo(expected);
            }
        });
    }

    @Test
    void theOverallDeadlinePublishesOneTimeoutEventAndCountsOneTimeout() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            TimeoutPolicy deadline = TimeoutPolicy.builder().responseTimeout(Duration.ofMillis(500)).build();
            try (FaultServer server = FaultServer.start(Fault.silent());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(3).build(), deadline, listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                String ep = server.baseUrl();

                assertThrows(DeadlineExceededException.class,
                        () -> client.execute(new HttpGet(server.uri("/x")), r -> r.getCode()));

                assertThat(listener.of(TimeoutEvent.class)).containsExactly(
                        new TimeoutEvent("GET", ep, TimeoutKind.OVERALL, Duration.ofMillis(500), 1));
                assertThat(listener.of(RetryScheduledEvent.class)).isEmpty();
                Map<String, Long> expected = expected("rq_total", 1, "rq_timeout", 1);
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected);
                assertThat(counters(client.metrics(), ep)).as("endpoint counters").isEqualTo(expected);
            }
        });
    }

    @Test
    void countersAreKeptPerClientAndPerEndpoint() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            RefusingPort refusing = RefusingPort.find();
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(2).build(), timeouts(), listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.respond(503));
                String up = server.baseUrl();
                String down = "http://127.0.0.1:" + refusing.port();

                int status = client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());
                assertThat(status).isEqualTo(200);
                ConnectException refused = assertThrows(ConnectException.class,
                        () -> client.execute(new HttpGet(refusing.uri("/x")), r -> r.getCode()));

                assertThat(refused.getSuppressed()).hasSize(2);
                assertThat(listener.events.stream().filter(e -> RecordingListener.endpointOf(e).equals(down)).collect(Collectors.toList()))
                        .containsExactly(
                                new AttemptFailedEvent("GET", down, 1, "connect-failure (HttpHostConnectException)"),
                                new RetryScheduledEvent("GET", down, 1, "connect-failure", Duration.ofMillis(50),
                                        DelaySource.BACKOFF),
                                new AttemptFailedEvent("GET", down, 2, "connect-failure (HttpHostConnectException)"),
                                new RetryScheduledEvent("GET", down, 2, "connect-failure", Duration.ofMillis(150),
                                        DelaySource.BACKOFF),
                                new AttemptFailedEvent("GET", down, 3, "connect-failure (HttpHostConnectException)"),
                                new RetriesExhaustedEvent("GET", down, 3, "retries exhausted"));
                assertThat(counters(client.metrics(), up)).as("counters of " + up)
                        .isEqualTo(expected("rq_total", 2, "rq_retry", 1, "rq_retry_success", 1));
                assertThat(counters(client.metrics(), down)).as("counters of " + down)
                        .isEqualTo(expected("rq_total", 3, "rq_retry", 2, "rq_retry_limit_exceeded", 1, "cx_connect_fail", 3));
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected(
                        "rq_total", 5, "rq_retry", 3, "rq_retry_success", 1, "rq_retry_limit_exceeded", 1, "cx_connect_fail", 3));
                assertThat(client.metrics().endpoints()).containsExactlyInAnyOrder(up, down);
            }
        });
    }

    @Test
    void connectRetriesCountEveryFailedConnectionButNoExtraAttempt() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            RefusingPort refusing = RefusingPort.find();
            ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts()).retry(retries(1).build())
                    .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3)).listener(listener).build();
            try (SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP_HALF_DRAW).build()) {
                String down = "http://127.0.0.1:" + refusing.port();
                HttpClientContext context = HttpClientContext.create();

                ConnectException refused = assertThrows(ConnectException.class,
                        () -> client.execute(new HttpGet(refusing.uri("/x")), context, r -> r.getCode()));

                assertThat(refused.getSuppressed()).as("the 5 earlier connection failures").hasSize(5);
                assertThat(SturdyContext.attempts(context)).isEqualTo(2);
                assertThat(listener.events).containsExactly(
                        new AttemptFailedEvent("GET", down, 1, "connect-failure (HttpHostConnectException)"),
                        new RetryScheduledEvent("GET", down, 1, "connect-failure", Duration.ofMillis(50), DelaySource.BACKOFF),
                        new AttemptFailedEvent("GET", down, 2, "connect-failure (HttpHostConnectException)"),
                        new RetriesExhaustedEvent("GET", down, 2, "retries exhausted"));
                Map<String, Long> expected = expected("rq_total", 2, "rq_retry", 1, "rq_retry_limit_exceeded", 1,
                        "cx_connect_fail", 6);
                assertThat(counters(client.metrics(), null)).as("client counters").isEqualTo(expected);
                assertThat(counters(client.metrics(), down)).as("endpoint counters").isEqualTo(expected);
            }
        });
    }

    @Test
    void theRetryLogLineNamesTheAttemptThatFailedAlsoOnARedirectHop() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            try (LogCapture logs = LogCapture.start();
                 FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(3).build(), timeouts(), listener))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.respond(503), Fault.respond(302).header("Location", "/other"), Fault.resetAfterRequest());
                String ep = server.baseUrl();

                int status = client.execute(new HttpGet(server.uri("/start")), r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(listener.of(AttemptFailedEvent.class)).containsExactly(
                        new AttemptFailedEvent("GET", ep, 1, "status 503"),
                        new AttemptFailedEvent("GET", ep, 3, "reset (SocketException)"));
                assertThat(logs.events(STURDY_LOGGER, Level.DEBUG).stream().map(LogEvent::message)
                        .filter(m -> m.startsWith("retrying ")).collect(Collectors.toList()))
                        .hasSize(2)
                        .satisfiesExactly(
                                first -> assertThat(first).startsWith("retrying GET " + ep + ": attempt 1 failed (status 503)"),
                                second -> assertThat(second).startsWith(
                                        "retrying GET " + ep + ": attempt 3 failed (reset (SocketException))"));
            }
        });
    }

    @Test
    void aListenerThatThrowsChangesNothingAndIsLoggedAtWarn() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (LogCapture logs = LogCapture.start();
                 FaultServer server = FaultServer.start(Fault.ok("fine"));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(3).build(), timeouts(), new ThrowingListener()))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.respond(503));

                String answer = client.execute(new HttpGet(server.uri("/x")),
                        r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

                assertThat(answer).isEqualTo("200 fine");
                assertThat(server.requestCount()).isEqualTo(2);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_SUCCESS)).isEqualTo(1);
                List<LogEvent> warnings = logs.events("dev.sturdy", Level.WARN);
                assertThat(warnings).as("one WARN per event the listener failed on (attempt failed, retry scheduled)")
                        .hasSize(2)
                        .allSatisfy(w -> {
                            assertThat(w.loggerName()).isEqualTo(STURDY_LOGGER);
                            assertThat(w.message()).isEqualTo("listener ThrowingListener threw; the call goes on unaffected");
                            assertThat(w.throwable()).get().extracting(Throwable::getMessage).isEqualTo("listener boom");
                        });
            }
        });
    }

    @Test
    void retriesAreLoggedAtDebugOnTheSturdyLoggerAndNeverAtInfoOrAbove() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (LogCapture logs = LogCapture.start();
                 FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(retries(2).build(), timeouts(), ResilienceListener.NONE))
                         .seams(NO_SLEEP_HALF_DRAW).build()) {
                server.enqueue(Fault.resetAfterRequest());
                String ep = server.baseUrl();

                int status = client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());
                assertThat(status).isEqualTo(503);

                List<LogEvent> debug = logs.events("dev.sturdy", Level.DEBUG);
                assertThat(debug).allSatisfy(e -> assertThat(e.loggerName()).isEqualTo(STURDY_LOGGER));
                assertThat(debug.stream().map(LogEvent::message).filter(m -> m.startsWith("retrying ")))
                        .as("one DEBUG line per retry")
                        .hasSize(2)
                        .allSatisfy(m -> assertThat(m).startsWith("retrying GET " + ep + ": attempt "));
                assertThat(debug.stream().map(LogEvent::message))
                        .anySatisfy(m -> assertThat(m).isEqualTo("not retrying GET " + ep + " after 3 attempts: retries exhausted"));
                for (Level level : List.of(Level.INFO, Level.WARN, Level.ERROR)) {
                    assertThat(logs.events("dev.sturdy", level)).as("sturdy events at " + level).isEmpty();
                }
            }
        });
    }

    // --- secrets -------------------------------------------------------------------------------

    private static final String BEARER = "s3cr3t-TOKEN-abc";
    private static final String QUERY = "qu3ry-SECRET-xyz";
    private static final String PASSWORD = "pa55word";
    private static final String BODY = "b0dy-SECRET-42";
    private static final List<String> SECRETS = List.of(BEARER, QUERY, PASSWORD, BODY);

    /** Every message and {@code toString} of {@code t}, its causes and suppressed exceptions. */
    private static List<String> texts(Throwable t) {
        List<String> texts = new ArrayList<>();
        collect(t, texts, Collections.newSetFromMap(new IdentityHashMap<>()));
        return texts;
    }

    private static void collect(Throwable t, List<String> texts, java.util.Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        texts.add(String.valueOf(t.getMessage()));
        texts.add(t.toString());
        for (Throwable s : t.getSuppressed()) {
            collect(s, texts, seen);
        }
        collect(t.getCause(), texts, seen);
    }

    private static void assertNoSecretIn(String what, List<String> texts) {
        for (String secret : SECRETS) {
            assertThat(texts).as(what + " must not contain " + secret).noneMatch(t -> t.contains(secret));
        }
    }

    @Test
    void secretsInHeadersQueriesUserInfoAndBodiesNeverReachLogsEventsOrExceptions() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RecordingListener listener = new RecordingListener();
            List<Throwable> thrown = new ArrayList<>();
            // per try 1 s: the retry opens a new connection, which on a loaded machine can take a few hundred ms;
            // it must be answered within one per-try window or a third attempt changes the events
            TimeoutPolicy perTry = TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(5))
                    .perTryTimeout(Duration.ofSeconds(1)).build();
            ResiliencePolicy policy = policy(retries(2).retryNonIdempotent(true).build(), perTry, listener);
            try (LogCapture logs = LogCapture.start();
                 FaultServer server = FaultServer.start(Fault.resetAfterRequest());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(NO_SLEEP_HALF_DRAW).build()) {
                String path = "/orders?token=" + QUERY;

                // 1: 503, reset, 503: the 503 is returned after two logged retries
                server.enqueue(Fault.respond(503), Fault.resetAfterRequest(), Fault.respond(503));
                HttpGet get = new HttpGet(server.uri(path));
                get.addHeader("Authorization", "Bearer " + BEARER);
                int status = client.execute(get, r -> r.getCode());
                assertThat(status).isEqualTo(503);

                // 2: a POST with a secret body: per-try timeout, then resets until it fails
                server.enqueue(Fault.silent());
                HttpPost post = new HttpPost(server.uri(path));
                post.addHeader("Authorization", "Bearer " + BEARER);
                post.setEntity(new StringEntity("secret=" + BODY, ContentType.TEXT_PLAIN));
                thrown.add(assertThrows(IOException.class, () -> client.execute(post, r -> r.getCode())));

                // 3: user-info in the URI (HttpClient may refuse it: then its refusal is checked instead)
                HttpGet withUserInfo = new HttpGet("http://user:" + PASSWORD + "@127.0.0.1:" + server.port() + path);
                withUserInfo.addHeader("Authorization", "Bearer " + BEARER);
                try {
                    client.execute(withUserInfo, HttpClientContext.create(), r -> r.getCode());
                } catch (IOException | RuntimeException e) {
                    thrown.add(e);
                }

                assertThat(server.requestCount()).as("the secrets did reach the server").isGreaterThanOrEqualTo(6);
                assertThat(listener.of(RetryScheduledEvent.class)).as("retries happened").hasSizeGreaterThanOrEqualTo(4);
                assertThat(logs.events("dev.sturdy")).as("sturdy logged the retries").isNotEmpty();
                for (String secret : SECRETS) {
                    logs.assertNoEventContains(secret, "dev.sturdy");
                }
                assertNoSecretIn("listener events",
                        listener.events.stream().map(Object::toString).collect(Collectors.toList()));
                assertNoSecretIn("exceptions thrown to the caller",
                        thrown.stream().flatMap(t -> texts(t).stream()).collect(Collectors.toList()));
                assertThat(thrown).as("the calls that failed").isNotEmpty();
                System.out.println("secrets test: thrown " + thrown.stream().map(Object::toString).collect(Collectors.toList()));
            }
        });
    }
}
