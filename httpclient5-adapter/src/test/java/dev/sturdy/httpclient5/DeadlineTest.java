package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.PerTryTimeoutException;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC 1: the overall deadline ({@code responseTimeout}) is hard and covers every attempt, every backoff
 * wait and the reading of the body inside {@code execute(request, handler)}; the per-try timeout is a
 * retriable failure; a retry that could only start after the deadline is not started.
 */
class DeadlineTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    /** How late a call may end after its deadline: watchdog tick (5 ms) plus scheduling noise. */
    private static final long LATE_MILLIS = 500;
    private static final Duration TEST_BOUND = Duration.ofSeconds(10);
    private static final Seams NO_SLEEP = Seams.SYSTEM.withSleeper(nanos -> { });

    private static ResiliencePolicy policy(TimeoutPolicy timeouts, HttpRetryPolicy retry) {
        return ResiliencePolicy.builder().timeouts(timeouts).retry(retry).build();
    }

    private static TimeoutPolicy deadline(Duration responseTimeout) {
        return TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(1)).responseTimeout(responseTimeout).build();
    }

    private static TimeoutPolicy perTry(Duration perTryTimeout, Duration responseTimeout) {
        return TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(1))
                .responseTimeout(responseTimeout).perTryTimeout(perTryTimeout).build();
    }

    private static HttpRetryPolicy fastRetries(int maxRetries) {
        return HttpRetryPolicy.builder().maxRetries(maxRetries)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void assertPoolClean(SturdyHttpClient client) {
        assertThat(client.poolStats().getLeased()).as("leased connections").isZero();
        assertThat(client.poolStats().getPending()).as("pending leases").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retries in flight").isZero();
    }

    /** The four {@code execute(..., handler)} overloads of {@code CloseableHttpClient}. */
    enum Overload {
        REQUEST, REQUEST_CONTEXT, TARGET_REQUEST, TARGET_REQUEST_CONTEXT;

        String execute(SturdyHttpClient client, FaultServer server, HttpClientContext context) throws Exception {
            HttpGet get = new HttpGet(server.uri("/drip"));
            HttpClientResponseHandler<String> read = r -> EntityUtils.toString(r.getEntity());
            switch (this) {
                case REQUEST:
                    return client.execute(get, read);
                case REQUEST_CONTEXT:
                    return client.execute(get, context, read);
                case TARGET_REQUEST:
                    return client.execute(server.httpHost(), get, read);
                default:
                    return client.execute(server.httpHost(), get, context, read);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Overload.class)
    void aTricklingBodyCannotHoldExecutePastTheDeadline(Overload overload) {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            // 50 bytes, one every 200 ms: 10 s in all, and never a read timeout
            try (FaultServer server = FaultServer.start(Fault.slowDrip("b".repeat(50), Duration.ofMillis(200)));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(deadline(DEADLINE), fastRetries(3)))
                         .seams(NO_SLEEP).build()) {
                HttpClientContext context = HttpClientContext.create();
                long start = System.nanoTime();
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> overload.execute(client, server, context));
                long elapsed = millisSince(start);

                assertThat(e).hasMessage("GET " + server.baseUrl() + " exceeded responseTimeout PT1S after 1 attempt");
                assertThat(e.timeout()).isEqualTo(DEADLINE);
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(elapsed).as("elapsed ms").isBetween(DEADLINE.toMillis(), DEADLINE.toMillis() + LATE_MILLIS);
                assertThat(server.requestCount()).as("requests the server read (never retried)").isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
                assertPoolClean(client);
            }
        });
    }

    @Test
    void theDeadlineCoversEveryAttemptAndEndsTheCallWithTheEarlierFailuresSuppressed() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            // attempts start near 0, 600, 1200 and 1800 ms; the deadline at 2300 ms cuts the fourth. The three
            // hand-overs (each a new connection) share 500 ms of slack; a fifth attempt could start no earlier
            // than 2400 ms, past the deadline, so it never starts
            Duration deadline = Duration.ofMillis(2300);
            try (FaultServer server = FaultServer.start(Fault.silent());
                 SturdyHttpClient client = SturdyHttpClients.custom(
                         policy(perTry(Duration.ofMillis(600), deadline), fastRetries(10)))
                         .seams(NO_SLEEP).build()) {
                HttpClientContext context = HttpClientContext.create();
                long start = System.nanoTime();
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.execute(new HttpGet(server.uri("/never")), context, r -> r.getCode()));
                long elapsed = millisSince(start);

                String endpoint = server.baseUrl();
                assertThat(e).hasMessage("GET " + endpoint + " exceeded responseTimeout PT2.3S after 4 attempts");
                assertThat(Arrays.stream(e.getSuppressed()).map(Throwable::getMessage)).containsExactly(
                        "GET " + endpoint + " attempt 1 exceeded perTryTimeout PT0.6S",
                        "GET " + endpoint + " attempt 2 exceeded perTryTimeout PT0.6S",
                        "GET " + endpoint + " attempt 3 exceeded perTryTimeout PT0.6S");
                assertThat(elapsed).as("elapsed ms").isBetween(deadline.toMillis(), deadline.toMillis() + LATE_MILLIS);
                assertThat(server.requestCount()).isEqualTo(4);
                assertThat(SturdyContext.attempts(context)).isEqualTo(4);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).as("3 per-try timeouts and the deadline")
                        .isEqualTo(4);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void aSilentServerEndsTheCallAtTheDeadlineWithoutRetrying() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.silent());
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(deadline(DEADLINE), fastRetries(3)))
                         .seams(NO_SLEEP).build()) {
                long start = System.nanoTime();
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.execute(new HttpGet(server.uri("/silent")), r -> r.getCode()));
                long elapsed = millisSince(start);

                assertThat(e).hasMessage("GET " + server.baseUrl() + " exceeded responseTimeout PT1S after 1 attempt");
                assertThat(elapsed).as("elapsed ms").isBetween(DEADLINE.toMillis(), DEADLINE.toMillis() + LATE_MILLIS);
                assertThat(server.requestCount()).as("requests the server read (never retried)").isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
                assertPoolClean(client);
            }
        });
    }

    @Test
    void aPerTryTimeoutIsRetriedAndTheNextAttemptAnswers() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("second"));
                 SturdyHttpClient client = SturdyHttpClients.custom(
                         // per try 1 s: the retry opens a new connection, which on a loaded machine can take a
                         // few hundred ms; it must be answered within one per-try window or a third attempt runs
                         policy(perTry(Duration.ofSeconds(1), Duration.ofSeconds(5)), fastRetries(3)))
                         .seams(NO_SLEEP).build()) {
                server.enqueue(Fault.silent());
                HttpClientContext context = HttpClientContext.create();
                long start = System.nanoTime();
                String body = client.execute(new HttpGet(server.uri("/slow-then-fast")), context,
                        r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));
                long elapsed = millisSince(start);

                assertThat(body).isEqualTo("200 second");
                assertThat(server.requestCount()).isEqualTo(2);
                assertThat(SturdyContext.attempts(context)).isEqualTo(2);
                // one per-try window, then the second attempt (itself within a window): well short of the 5 s deadline
                assertThat(elapsed).as("elapsed ms").isBetween(1000L, 2000 + LATE_MILLIS);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_SUCCESS)).isEqualTo(1);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void whenEveryAttemptTimesOutTheLastPerTryTimeoutIsThrownWithTheEarlierOnesSuppressed() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.silent());
                 SturdyHttpClient client = SturdyHttpClients.custom(
                         policy(perTry(Duration.ofMillis(200), Duration.ofSeconds(5)), fastRetries(2)))
                         .seams(NO_SLEEP).build()) {
                long start = System.nanoTime();
                PerTryTimeoutException e = assertThrows(PerTryTimeoutException.class,
                        () -> client.execute(new HttpGet(server.uri("/never")), r -> r.getCode()));
                long elapsed = millisSince(start);

                String endpoint = server.baseUrl();
                assertThat(e).hasMessage("GET " + endpoint + " attempt 3 exceeded perTryTimeout PT0.2S");
                assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
                assertThat(Arrays.stream(e.getSuppressed()).map(Throwable::getMessage)).containsExactly(
                        "GET " + endpoint + " attempt 1 exceeded perTryTimeout PT0.2S",
                        "GET " + endpoint + " attempt 2 exceeded perTryTimeout PT0.2S");
                assertThat(e.getSuppressed()).allSatisfy(s -> assertThat(s).isInstanceOf(PerTryTimeoutException.class));
                assertThat(server.requestCount()).isEqualTo(3);
                assertThat(elapsed).as("elapsed ms").isBetween(600L, 600 + LATE_MILLIS);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(3);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED)).isEqualTo(1);
                assertPoolClean(client);
            }
        });
    }

    /** A 2 s backoff base and a draw of 0.999 give a wait of 1.998 s: longer than the 1 s deadline. */
    private static SturdyHttpClient clientWhoseFirstBackoffOutlastsTheDeadline(double draw, AtomicInteger sleeps) {
        HttpRetryPolicy retry = HttpRetryPolicy.builder().maxRetries(3)
                .backoff(Duration.ofSeconds(2), Duration.ofSeconds(2)).build();
        Seams seams = Seams.SYSTEM.withRandom(() -> draw).withSleeper(nanos -> sleeps.incrementAndGet());
        return SturdyHttpClients.custom(policy(deadline(DEADLINE), retry)).seams(seams).build();
    }

    /**
     * One successful call first, so that the timed call measures sturdy's decision and not class loading
     * in a fresh JVM; the server then sees one request more.
     */
    private static void warmUp(SturdyHttpClient client, FaultServer server) throws Exception {
        server.enqueue(Fault.ok());
        client.execute(new HttpGet(server.uri("/warm-up")), r -> r.getCode());
    }

    @Test
    void aRetryWhoseBackoffEndsAfterTheDeadlineIsNotStartedAndTheLast503IsReturned() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            AtomicInteger sleeps = new AtomicInteger();
            try (FaultServer server = FaultServer.start(Fault.respond(503).body("busy"));
                 SturdyHttpClient client = clientWhoseFirstBackoffOutlastsTheDeadline(0.999, sleeps)) {
                warmUp(client, server);
                HttpClientContext context = HttpClientContext.create();
                long start = System.nanoTime();
                String answer = client.execute(new HttpGet(server.uri("/busy")), context,
                        r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));
                long elapsed = millisSince(start);

                assertThat(answer).isEqualTo("503 busy");
                assertThat(server.requestCount()).as("the warm-up and one attempt").isEqualTo(2);
                assertThat(SturdyContext.attempts(context)).isEqualTo(1);
                assertThat(sleeps).as("backoff waits started").hasValue(0);
                assertThat(elapsed).as("elapsed ms: the call ends at once, not at the deadline")
                        .isLessThan(DEADLINE.toMillis());
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
                assertPoolClean(client);
            }
        });
    }

    @Test
    void aRetryWhoseBackoffEndsBeforeTheDeadlineIsStarted() {
        // the control of the test above: a draw of 0.1 waits 0.2 s, inside the 1 s deadline
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            AtomicInteger sleeps = new AtomicInteger();
            try (FaultServer server = FaultServer.start(Fault.ok("later"));
                 SturdyHttpClient client = clientWhoseFirstBackoffOutlastsTheDeadline(0.1, sleeps)) {
                server.enqueue(Fault.respond(503));
                int status = client.execute(new HttpGet(server.uri("/busy")), r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(server.requestCount()).isEqualTo(2);
                assertThat(sleeps.get()).as("backoff waits started").isPositive();
                assertPoolClean(client);
            }
        });
    }

    @Test
    void aRetryWhoseBackoffEndsAfterTheDeadlineIsNotStartedAndTheLastFailureIsThrown() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            AtomicInteger sleeps = new AtomicInteger();
            try (FaultServer server = FaultServer.start(Fault.resetAfterRequest());
                 SturdyHttpClient client = clientWhoseFirstBackoffOutlastsTheDeadline(0.999, sleeps)) {
                warmUp(client, server);
                long start = System.nanoTime();
                SocketException e = assertThrows(SocketException.class,
                        () -> client.execute(new HttpGet(server.uri("/reset")), r -> r.getCode()));
                long elapsed = millisSince(start);

                assertThat(e).hasMessage("Connection reset");
                assertThat(e.getSuppressed()).isEmpty();
                assertThat(server.requestCount()).as("the warm-up and one attempt").isEqualTo(2);
                assertThat(sleeps).as("backoff waits started").hasValue(0);
                assertThat(elapsed).as("elapsed ms: the call ends at once, not at the deadline")
                        .isLessThan(DEADLINE.toMillis());
                assertPoolClean(client);
            }
        });
    }

    @Test
    void withExecuteOpenTheDeadlineCoversTheHeadOnlyAndASlowBodyReadsPastIt() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.slowDrip("0123456789", Duration.ofMillis(200)));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy(deadline(DEADLINE), fastRetries(3)))
                         .seams(NO_SLEEP).build()) {
                long start = System.nanoTime();
                try (ClassicHttpResponse response = client.executeOpen(null, new HttpGet(server.uri("/stream")),
                        HttpClientContext.create())) {
                    assertThat(response.getCode()).isEqualTo(200);
                    InputStream body = response.getEntity().getContent();
                    byte[] firstEight = body.readNBytes(8); // 1.6 s: past the 1 s deadline
                    assertThat(millisSince(start)).as("elapsed ms when the eighth byte arrived")
                            .isGreaterThan(DEADLINE.toMillis());
                    assertThat(new String(firstEight, StandardCharsets.US_ASCII)).isEqualTo("01234567");
                }
                assertThat(server.requestCount()).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isZero();
                assertPoolClean(client);
            }
        });
    }
}
