package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.DelaySource;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.event.RetryScheduledEvent;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import dev.sturdy.internal.runtime.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.pool.PoolStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 2.4, server-directed delay: a retriable 503 carrying {@code Retry-After} waits the time the server
 * named (never less), an unusable value falls back to the computed backoff, and a delay that would end
 * past the overall deadline ends the call at once with that 503.
 *
 * <p>Only the two tests whose behaviour is time itself wait for real (about 1 and 1-2 s); the others
 * use a recording sleeper that does not sleep, and a fixed random draw so the backoff is exact.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class RetryAfterTest {

    /** IMF-fixdate (RFC 9110 5.6.7), e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** Backoff base 100 ms and a fixed draw of 0.5: the first retry's backoff is exactly 50 ms. */
    private static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    private static final double RANDOM_DRAW = 0.5;
    private static final long BACKOFF_NANOS = 50_000_000L;

    private final List<RetryScheduledEvent> scheduled = new CopyOnWriteArrayList<>();
    private final List<Long> sleeps = new CopyOnWriteArrayList<>();
    /** {@code System.nanoTime()} when each attempt's response head reached the client. */
    private final List<Long> responsesReceivedNanos = new CopyOnWriteArrayList<>();

    private FaultServer server;

    @BeforeEach
    void startServer() {
        server = FaultServer.start(Fault.ok("served"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void waitsTheDeltaSecondsTheServerNamedBeforeRetrying() throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", "1"));
        try (SturdyHttpClient client = client(policy(b -> b), realSleeperThatRecords())) {
            HttpClientContext context = HttpClientContext.create();

            assertThat(get(client, context)).isEqualTo("200 served");

            List<RecordedRequest> requests = server.requests();
            assertThat(requests).hasSize(2);
            assertThat(SturdyContext.attempts(context)).isEqualTo(2);
            long sent503Nanos = responsesReceivedNanos.get(0); // the client had the 503 no earlier than it was sent
            assertThat(Duration.ofNanos(requests.get(1).receivedNanos() - sent503Nanos))
                    .as("time from the 503 reaching the client to the retry reaching the server")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1))
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(scheduled).singleElement().satisfies(e -> {
                assertThat(e.delay()).isEqualTo(Duration.ofSeconds(1));
                assertThat(e.delaySource()).isEqualTo(DelaySource.RETRY_AFTER);
                assertThat(e.reason()).isEqualTo("5xx");
            });
            assertThat(sleeps.stream().mapToLong(Long::longValue).sum()).as("nanoseconds slept")
                    .isEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertQuiescent(client);
        }
    }

    @Test
    void waitsUntilTheHttpDateTheServerNamedBeforeRetrying() throws Exception {
        long wallMillisBefore = System.currentTimeMillis();
        long nanosBefore = System.nanoTime();
        // a whole second 1 to 2 s ahead: an HTTP-date has a resolution of one second
        Instant named = Instant.ofEpochSecond(wallMillisBefore / 1000 + 2);
        server.enqueue(Fault.respond(503).header("Retry-After", IMF_FIXDATE.format(named)));
        try (SturdyHttpClient client = client(policy(b -> b), realSleeperThatRecords())) {
            HttpClientContext context = HttpClientContext.create();

            assertThat(get(client, context)).isEqualTo("200 served");

            List<RecordedRequest> requests = server.requests();
            assertThat(requests).hasSize(2);
            // The named instant on the nanoTime scale. currentTimeMillis() truncates: the true wall time
            // at nanosBefore lies in [wallMillisBefore, wallMillisBefore + 1 ms), hence the 1 ms allowance.
            long namedNanos = nanosBefore + TimeUnit.MILLISECONDS.toNanos(named.toEpochMilli() - wallMillisBefore - 1);
            assertThat(requests.get(1).receivedNanos() - namedNanos)
                    .as("nanoseconds between the instant the server named (%s) and the retry's arrival", named)
                    .isGreaterThanOrEqualTo(0)
                    .isLessThan(TimeUnit.SECONDS.toNanos(2));
            assertThat(scheduled).singleElement().satisfies(e -> {
                assertThat(e.delaySource()).isEqualTo(DelaySource.RETRY_AFTER);
                assertThat(e.delay()).isBetween(Duration.ofMillis(named.toEpochMilli() - System.currentTimeMillis()),
                        Duration.ofMillis(named.toEpochMilli() - wallMillisBefore));
            });
            assertQuiescent(client);
        }
    }

    @Test
    void honoursRetryAfterOnA429RetriedByStatusCode() throws Exception {
        server.enqueue(Fault.respond(429).header("Retry-After", "2"));
        ResiliencePolicy policy = policy(b -> b.retryOn(RetryOn.RETRIABLE_STATUS_CODES).statusCodes(429));
        try (SturdyHttpClient client = client(policy, recordingSleeper())) {
            assertThat(get(client, HttpClientContext.create())).isEqualTo("200 served");

            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(sleeps.stream().mapToLong(Long::longValue).sum()).as("nanoseconds waited")
                    .isEqualTo(TimeUnit.SECONDS.toNanos(2));
            assertThat(scheduled).singleElement().satisfies(e -> {
                assertThat(e.delay()).isEqualTo(Duration.ofSeconds(2));
                assertThat(e.delaySource()).isEqualTo(DelaySource.RETRY_AFTER);
                assertThat(e.reason()).isEqualTo("retriable-status-codes");
            });
            assertQuiescent(client);
        }
    }

    @Test
    void doesNotWaitForRetryAfterOnceRetriesAreExhausted() throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", "1"), Fault.respond(503).header("Retry-After", "1"));
        try (SturdyHttpClient client = client(policy(b -> b), recordingSleeper())) {
            HttpClientContext context = HttpClientContext.create();

            assertThat(get(client, context)).isEqualTo("503 ");

            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(sleeps.stream().mapToLong(Long::longValue).sum()).as("nanoseconds waited: before the one retry")
                    .isEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertThat(scheduled).hasSize(1);
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED)).isEqualTo(1);
            assertQuiescent(client);
        }
    }

    @Test
    void doesNotWaitForRetryAfterOnAPostItWillNotRetry() throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", "1"));
        try (SturdyHttpClient client = client(policy(b -> b), recordingSleeper())) {
            HttpPost post = new HttpPost(server.uri("/orders"));
            post.setEntity(new StringEntity("{\"order\":42}", ContentType.APPLICATION_JSON));

            int status = client.execute(post, response -> response.getCode());

            assertThat(status).isEqualTo(503);
            assertThat(server.requestCount("POST")).isEqualTo(1);
            assertThat(sleeps).as("waits").isEmpty();
            assertThat(scheduled).isEmpty();
            assertQuiescent(client);
        }
    }

    static Stream<Arguments> unusableRetryAfter() {
        return Stream.of(
                Arguments.of("garbage", "soon", Duration.ofSeconds(60), true),
                Arguments.of("negative", "-1", Duration.ofSeconds(60), true),
                Arguments.of("fractional", "1.5", Duration.ofSeconds(60), true),
                Arguments.of("empty", "", Duration.ofSeconds(60), true),
                Arguments.of("above the 5 s cap", "30", Duration.ofSeconds(5), true),
                Arguments.of("an HTTP-date above the 5 s cap",
                        IMF_FIXDATE.format(Instant.now().plus(Duration.ofHours(1))), Duration.ofSeconds(5), true),
                Arguments.of("absurdly large", "99999999999999999999", Duration.ofSeconds(60), true),
                Arguments.of("ignored by policy (retryAfter off)", "30", Duration.ofSeconds(60), false));
    }

    @ParameterizedTest(name = "Retry-After {0} (\"{1}\"): computed backoff instead")
    @MethodSource("unusableRetryAfter")
    void usesTheComputedBackoffWhenRetryAfterCannotBeUsed(String what, String value, Duration cap,
                                                          boolean respectRetryAfter) throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", value));
        ResiliencePolicy policy = policy(b -> b.maxRetryAfter(cap).retryAfter(respectRetryAfter));
        try (SturdyHttpClient client = client(policy, recordingSleeper())) {
            HttpClientContext context = HttpClientContext.create();

            assertThat(get(client, context)).isEqualTo("200 served");

            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(sleeps).as("waits before the retry (ns): the backoff draw, within [0, %s)", BACKOFF_BASE)
                    .containsExactly(BACKOFF_NANOS)
                    .allSatisfy(nanos -> assertThat(nanos).isBetween(0L, BACKOFF_BASE.toNanos() - 1));
            assertThat(scheduled).singleElement().satisfies(e -> {
                assertThat(e.delay()).isEqualTo(Duration.ofNanos(BACKOFF_NANOS));
                assertThat(e.delaySource()).isEqualTo(DelaySource.BACKOFF);
            });
            assertQuiescent(client);
        }
    }

    static Stream<Arguments> immediateRetryAfter() {
        return Stream.of(
                Arguments.of("zero seconds", "0"),
                Arguments.of("a past HTTP-date", "Sun, 06 Nov 1994 08:49:37 GMT"),
                Arguments.of("a past asctime date", "Sun Nov  6 08:49:37 1994"));
    }

    @ParameterizedTest(name = "Retry-After {0} (\"{1}\"): retried at once")
    @MethodSource("immediateRetryAfter")
    void retriesAtOnceWhenTheServerNamesNoDelay(String what, String value) throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", value));
        try (SturdyHttpClient client = client(policy(b -> b), recordingSleeper())) {
            HttpClientContext context = HttpClientContext.create();

            assertThat(get(client, context)).isEqualTo("200 served");

            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(sleeps).as("waits before the retry").allSatisfy(nanos -> assertThat(nanos).isZero());
            assertThat(scheduled).singleElement().satisfies(e -> {
                assertThat(e.delay()).isEqualTo(Duration.ZERO);
                assertThat(e.delaySource()).isEqualTo(DelaySource.RETRY_AFTER);
            });
            assertQuiescent(client);
        }
    }

    static Stream<Arguments> retryAfterPastTheDeadline() {
        Supplier<String> seconds = () -> "5";
        Supplier<String> date = () -> IMF_FIXDATE.format(Instant.now().plusSeconds(6)); // 5 to 6 s ahead
        return Stream.of(Arguments.of("5 seconds", seconds), Arguments.of("an HTTP-date 5 s ahead", date));
    }

    @ParameterizedTest(name = "Retry-After {0} with a 1 s deadline: the 503 is returned at once")
    @MethodSource("retryAfterPastTheDeadline")
    void returnsThe503AtOnceWhenRetryAfterWouldEndPastTheDeadline(String what, Supplier<String> value) throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", value.get()));
        ResiliencePolicy policy = policy(b -> b).toBuilder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(1))
                        .responseTimeout(Duration.ofSeconds(1)).build())
                .build();
        try (SturdyHttpClient client = client(policy, recordingSleeper())) {
            HttpClientContext context = HttpClientContext.create();
            long start = System.nanoTime();

            assertThat(get(client, context)).isEqualTo("503 ");

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time the call took")
                    .isLessThan(Duration.ofMillis(800));
            assertThat(server.requestCount()).isEqualTo(1);
            assertThat(SturdyContext.attempts(context)).isEqualTo(1);
            assertThat(sleeps).as("waits").isEmpty();
            assertThat(scheduled).as("retries scheduled").isEmpty();
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
            assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).as("rq_timeout: the deadline never fired")
                    .isZero();
            assertQuiescent(client);
        }
    }

    /** {@code retryOn 5xx}, one retry, backoff 100 ms / 200 ms, Retry-After honoured up to 60 s. */
    private ResiliencePolicy policy(UnaryOperator<HttpRetryPolicy.Builder> retry) {
        HttpRetryPolicy.Builder builder = HttpRetryPolicy.builder()
                .retryOn(RetryOn.FIVE_XX)
                .maxRetries(1)
                .backoff(BACKOFF_BASE, BACKOFF_BASE.multipliedBy(2));
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2))
                        .responseTimeout(Duration.ofSeconds(10)).build())
                .retry(retry.apply(builder).build())
                .listener(new ResilienceListener() {
                    @Override
                    public void onRetryScheduled(RetryScheduledEvent event) {
                        scheduled.add(event);
                    }
                })
                .build();
    }

    private SturdyHttpClient client(ResiliencePolicy policy, Sleeper sleeper) {
        SturdyHttpClientBuilder builder = SturdyHttpClients.custom(policy)
                .seams(Seams.SYSTEM.withSleeper(sleeper).withRandom(() -> RANDOM_DRAW));
        builder.addResponseInterceptorLast((response, entity, context) -> responsesReceivedNanos.add(System.nanoTime()));
        return builder.build();
    }

    /** Records each wait and does not sleep. */
    private Sleeper recordingSleeper() {
        return sleeps::add;
    }

    /** Records each wait and sleeps it for real. */
    private Sleeper realSleeperThatRecords() {
        return nanos -> {
            sleeps.add(nanos);
            Sleeper.SYSTEM.sleepNanos(nanos);
        };
    }

    private String get(SturdyHttpClient client, HttpClientContext context) throws Exception {
        return client.execute(new HttpGet(server.uri("/inventory")), context, response -> response.getCode() + " "
                + (response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity())));
    }

    private static void assertQuiescent(SturdyHttpClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        PoolStats stats = client.poolStats();
        while ((stats.getLeased() != 0 || stats.getPending() != 0) && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
            stats = client.poolStats();
        }
        assertThat(stats.getLeased()).as("leased connections").isZero();
        assertThat(stats.getPending()).as("pending connection requests").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retries in flight").isZero();
    }
}
