package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import dev.sturdy.internal.runtime.Sleeper;
import java.io.ByteArrayInputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

/**
 * SPEC 2.5 and HttpClient's retry checklist: every retry sends the same request as the first attempt
 * (a fresh copy each time), a body that cannot be sent twice is sent once, the previous response is
 * released before the next attempt, and an abort or interrupt during a backoff wait ends the call.
 */
class RequestReplayTest {

    private static final Duration TEST_BOUND = Duration.ofSeconds(15);
    private static final Seams NO_SLEEP = Seams.SYSTEM.withSleeper(nanos -> { });
    private static final String SECOND_ATTEMPT_FAULTS = "503, then a reset after the request, then 200";

    private static ResiliencePolicy retrying(boolean retryNonIdempotent) {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2))
                        .responseTimeout(Duration.ofSeconds(10)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(3).backoff(Duration.ofMillis(1), Duration.ofMillis(2))
                        .retryNonIdempotent(retryNonIdempotent).build())
                .build();
    }

    /** Header lines as (lower-cased name, value), in the order sent. */
    private static List<String> headerLines(RecordedRequest request) {
        return request.headers().stream()
                .map(h -> h.name().toLowerCase(Locale.ROOT) + ": " + h.value())
                .collect(Collectors.toList());
    }

    /** Asserts that every recorded attempt equals the first in method, target, header lines and body bytes. */
    private static void assertEveryAttemptEqualsTheFirst(List<RecordedRequest> attempts) {
        RecordedRequest first = attempts.get(0);
        for (RecordedRequest attempt : attempts.subList(1, attempts.size())) {
            String which = "attempt " + attempt.sequence() + " compared with attempt 1";
            assertThat(attempt.method()).as(which + ": method").isEqualTo(first.method());
            assertThat(attempt.target()).as(which + ": target").isEqualTo(first.target());
            assertThat(headerLines(attempt)).as(which + ": header lines").isEqualTo(headerLines(first));
            assertThat(attempt.body()).as(which + ": body bytes").isEqualTo(first.body());
        }
    }

    private static void assertPoolClean(SturdyHttpClient client) {
        assertThat(client.poolStats().getLeased()).as("leased connections").isZero();
        assertThat(client.poolStats().getPending()).as("pending leases").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retries in flight").isZero();
    }

    @Test
    void everyRetryOfAGetSendsTheSameMethodTargetAndHeadersIncludingAcceptEncoding() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("done"));
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(false)).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(503).body("busy"), Fault.resetAfterRequest());
                HttpGet get = new HttpGet(server.uri("/orders/7?expand=items&page=2"));
                get.addHeader("X-Custom", "custom-value-1");
                get.addHeader("X-Repeated", "a");
                get.addHeader("X-Repeated", "b");

                String answer = client.execute(get, r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

                assertThat(answer).as(SECOND_ATTEMPT_FAULTS).isEqualTo("200 done");
                List<RecordedRequest> attempts = server.requests();
                assertThat(attempts).hasSize(3);
                RecordedRequest first = attempts.get(0);
                assertThat(first.target()).isEqualTo("/orders/7?expand=items&page=2");
                assertThat(first.header("X-Custom")).hasValue("custom-value-1");
                assertThat(first.headerValues("X-Repeated")).containsExactly("a", "b");
                // added by HttpClient's COMPRESS element, above sturdy's retry loop
                assertThat(first.header("Accept-Encoding")).isPresent();
                assertEveryAttemptEqualsTheFirst(attempts);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void everyRetryOfAPostSendsTheSameBodyBytesWhenNonIdempotentRetriesAreAllowed() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("created"));
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(true)).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(503), Fault.resetAfterRequest());
                HttpPost post = new HttpPost(server.uri("/orders?source=test"));
                post.addHeader("X-Custom", "custom-value-2");
                String json = "{\"order\":42,\"note\":\"caf\u00e9\"}";
                post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));

                // a fresh request per attempt: no "Content-Length header already present" on the retries
                int status = client.execute(post, r -> r.getCode());

                assertThat(status).as(SECOND_ATTEMPT_FAULTS).isEqualTo(200);
                List<RecordedRequest> attempts = server.requests();
                assertThat(attempts).hasSize(3);
                assertThat(attempts.get(0).bodyAsString()).isEqualTo(json);
                assertThat(attempts.get(0).headerValues("Content-Length"))
                        .containsExactly(String.valueOf(json.getBytes(StandardCharsets.UTF_8).length));
                assertThat(attempts.get(0).header("Content-Type")).hasValue("application/json; charset=UTF-8");
                assertEveryAttemptEqualsTheFirst(attempts);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void everyRetryOfAPostAllowedByTheContextOverrideSendsTheSameBody() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(false)).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(503), Fault.closeWithoutResponse());
                HttpPost post = new HttpPost(server.uri("/payments"));
                post.addHeader("Idempotency-Key", "k-123");
                post.setEntity(new StringEntity("amount=10", ContentType.APPLICATION_FORM_URLENCODED));
                HttpClientContext context = HttpClientContext.create();
                SturdyContext.retryNonIdempotent(context, true);

                int status = client.execute(post, context, r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(SturdyContext.attempts(context)).isEqualTo(3);
                assertThat(server.requests()).hasSize(3);
                assertEveryAttemptEqualsTheFirst(server.requests());
            }
        });
    }

    @Test
    void everyRetryOfAChunkedPutSendsTheSameBodyBytes() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(false)).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(503), Fault.resetAfterRequest());
                byte[] payload = new byte[10_000];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) (i * 31);
                }
                HttpPut put = new HttpPut(server.uri("/blobs/9"));
                // repeatable, but of unknown length to the protocol layer: sent chunked
                put.setEntity(new ByteArrayEntity(payload, ContentType.APPLICATION_OCTET_STREAM, true));

                int status = client.execute(put, r -> r.getCode());

                assertThat(status).isEqualTo(200);
                List<RecordedRequest> attempts = server.requests();
                assertThat(attempts).hasSize(3);
                assertThat(attempts.get(0).body()).isEqualTo(payload);
                assertThat(attempts.get(0).header("Transfer-Encoding")).hasValue("chunked");
                assertEveryAttemptEqualsTheFirst(attempts);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void everyAttemptSendsADifferentRequestObject() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            List<Object> sent = new CopyOnWriteArrayList<>();
            SturdyHttpClientBuilder builder = SturdyHttpClients.custom(retrying(false)).seams(NO_SLEEP);
            // request interceptors run in PROTOCOL, below sturdy's retry loop: once per attempt
            builder.addRequestInterceptorLast((request, entity, context) -> sent.add(request));
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = builder.build()) {
                server.enqueue(Fault.respond(503), Fault.resetAfterRequest());
                HttpPut put = new HttpPut(server.uri("/items/1"));
                put.setEntity(new StringEntity("v=1", ContentType.TEXT_PLAIN));

                int status = client.execute(put, r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(sent).hasSize(3);
                Set<Object> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
                distinct.addAll(sent);
                assertThat(distinct).as("distinct request objects among the 3 attempts").hasSize(3);
            }
        });
    }

    private static InputStreamEntity oneShotBody(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new InputStreamEntity(new ByteArrayInputStream(bytes), bytes.length, ContentType.TEXT_PLAIN);
    }

    @Test
    void aNonRepeatableBodyIsSentOnceAndItsRetriable503IsReturned() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.respond(503).body("busy"));
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(true)).seams(NO_SLEEP).build()) {
                HttpPost post = new HttpPost(server.uri("/upload"));
                post.setEntity(oneShotBody("stream-once"));
                HttpClientContext context = HttpClientContext.create();

                String answer = client.execute(post, context, r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

                assertThat(answer).isEqualTo("503 busy");
                assertThat(server.requests()).hasSize(1);
                assertThat(server.requests().get(0).bodyAsString()).isEqualTo("stream-once");
                assertThat(SturdyContext.attempts(context)).isEqualTo(1);
                assertPoolClean(client);
            }
        });
    }

    @Test
    void aNonRepeatableBodyOfAnIdempotentPutIsSentOnceAndItsResetIsThrown() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.resetAfterRequest());
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(true)).seams(NO_SLEEP).build()) {
                HttpPut put = new HttpPut(server.uri("/upload"));
                put.setEntity(oneShotBody("stream-once"));

                SocketException e = assertThrows(SocketException.class, () -> client.execute(put, r -> r.getCode()));

                assertThat(e).hasMessage("Connection reset");
                assertThat(server.requests()).hasSize(1);
                assertPoolClean(client);
            }
        });
    }

    private static ResiliencePolicy oneConnection() {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2))
                        .responseTimeout(Duration.ofSeconds(10)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(3).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                // a response not released before the retry would hold the only connection: the retry
                // would wait for it (2 s maxPendingWait) and fail
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(1).build())
                .build();
    }

    @Test
    void aRetried503WithASmallBodyIsReadToTheEndAndItsConnectionReused() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("fine"));
                 SturdyHttpClient client = SturdyHttpClients.custom(oneConnection()).seams(NO_SLEEP).build()) {
                for (int call = 1; call <= 3; call++) {
                    server.enqueue(Fault.respond(503).body("x".repeat(1000)));
                    String answer = client.execute(new HttpGet(server.uri("/small/" + call)),
                            r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));
                    assertThat(answer).as("call " + call).isEqualTo("200 fine");
                    assertPoolClean(client);
                }
                List<RecordedRequest> requests = server.requests();
                assertThat(requests).hasSize(6);
                assertThat(requests).as("every attempt on the one kept-alive connection")
                        .allSatisfy(r -> assertThat(r.connectionId()).isEqualTo(1));
            }
        });
    }

    @Test
    void aRetried503WithALargeBodyIsReleasedByDroppingItsConnection() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            byte[] large = new byte[100 * 1024];
            Arrays.fill(large, (byte) 'L');
            try (FaultServer server = FaultServer.start(Fault.ok("fine"));
                 SturdyHttpClient client = SturdyHttpClients.custom(oneConnection()).seams(NO_SLEEP).build()) {
                for (int call = 1; call <= 3; call++) {
                    server.enqueue(Fault.respond(503).body(large));
                    String answer = client.execute(new HttpGet(server.uri("/large/" + call)),
                            r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));
                    assertThat(answer).as("call " + call).isEqualTo("200 fine");
                    assertPoolClean(client);
                }
                List<RecordedRequest> requests = server.requests();
                assertThat(requests).hasSize(6);
                for (int i = 0; i < requests.size(); i += 2) {
                    assertThat(requests.get(i + 1).connectionId())
                            .as("the retry after the large 503 of " + requests.get(i) + " uses a new connection")
                            .isNotEqualTo(requests.get(i).connectionId());
                }
            }
        });
    }

    /** A client whose backoff waits 2 s for real, in slices; the latch opens when the first wait starts. */
    private static SturdyHttpClient clientWaiting2sBeforeRetrying(CountDownLatch waiting) {
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(30)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(3).backoff(Duration.ofSeconds(4), Duration.ofSeconds(4)).build())
                .build();
        Sleeper signalling = nanos -> {
            waiting.countDown();
            Sleeper.SYSTEM.sleepNanos(nanos);
        };
        return SturdyHttpClients.custom(policy).seams(Seams.SYSTEM.withRandom(() -> 0.5).withSleeper(signalling)).build();
    }

    @Test
    void cancellingTheRequestDuringABackoffWaitEndsTheCallPromptlyWithNoFurtherAttempt() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            CountDownLatch waiting = new CountDownLatch(1);
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try (FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = clientWaiting2sBeforeRetrying(waiting)) {
                HttpGet get = new HttpGet(server.uri("/cancel-me"));
                Future<Integer> call = caller.submit(() -> client.execute(get, r -> r.getCode()));
                assertThat(waiting.await(5, TimeUnit.SECONDS)).as("the backoff wait started").isTrue();

                long cancelledAt = System.nanoTime();
                get.cancel();
                Throwable failure = assertThrows(ExecutionException.class,
                        () -> call.get(5, TimeUnit.SECONDS)).getCause();
                long endedAfterMillis = (System.nanoTime() - cancelledAt) / 1_000_000;

                assertThat(failure).isInstanceOf(InterruptedIOException.class).hasMessage("Request aborted");
                assertThat(endedAfterMillis).as("ms from cancel() to the end of the call (the wait was 2 s)")
                        .isLessThan(1000);
                Thread.sleep(300); // room for a (wrong) further attempt to arrive
                assertThat(server.requestCount()).isEqualTo(1);
                assertPoolClean(client);
            } finally {
                caller.shutdownNow();
            }
        });
    }

    @Test
    void cancellingTheRequestDuringAnAttemptEndsTheCallWithoutARetry() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try (FaultServer server = FaultServer.start(Fault.silent());
                 SturdyHttpClient client = SturdyHttpClients.custom(retrying(false)).seams(NO_SLEEP).build()) {
                HttpGet get = new HttpGet(server.uri("/cancel-me"));
                Future<Integer> call = caller.submit(() -> client.execute(get, r -> r.getCode()));
                server.awaitRequestCount(1, Duration.ofSeconds(5));

                long cancelledAt = System.nanoTime();
                get.cancel();
                Throwable failure = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS)).getCause();
                long endedAfterMillis = (System.nanoTime() - cancelledAt) / 1_000_000;

                assertThat(failure).isInstanceOf(InterruptedIOException.class).hasMessage("Request aborted");
                assertThat(endedAfterMillis).as("ms from cancel() to the end of the call (the deadline is 10 s)")
                        .isLessThan(1000);
                Thread.sleep(300); // room for a (wrong) retry to arrive
                assertThat(server.requestCount()).isEqualTo(1);
                assertPoolClean(client);
            } finally {
                caller.shutdownNow();
            }
        });
    }

    @Test
    void interruptingTheCallerDuringABackoffWaitThrowsInterruptedIoExceptionAndKeepsTheFlag() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicBoolean flagAfterwards = new AtomicBoolean();
            AtomicReference<Thread> callerThread = new AtomicReference<>();
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try (FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = clientWaiting2sBeforeRetrying(waiting)) {
                Future<Throwable> call = caller.submit(() -> {
                    callerThread.set(Thread.currentThread());
                    try {
                        client.execute(new HttpGet(server.uri("/interrupt-me")), r -> r.getCode());
                        return null;
                    } catch (Exception e) {
                        flagAfterwards.set(Thread.interrupted()); // read and clear: the pool thread is reused
                        return e;
                    }
                });
                assertThat(waiting.await(5, TimeUnit.SECONDS)).as("the backoff wait started").isTrue();
                long interruptedAt = System.nanoTime();
                callerThread.get().interrupt();
                Throwable failure = call.get(5, TimeUnit.SECONDS);
                long endedAfterMillis = (System.nanoTime() - interruptedAt) / 1_000_000;

                assertThat(failure).isInstanceOf(InterruptedIOException.class)
                        .hasMessage("interrupted while waiting to retry");
                assertThat(flagAfterwards).as("interrupt flag of the caller after the call").isTrue();
                assertThat(endedAfterMillis).as("ms from interrupt() to the end of the call (the wait was 2 s)")
                        .isLessThan(1000);
                Thread.sleep(300); // room for a (wrong) further attempt to arrive
                assertThat(server.requestCount()).isEqualTo(1);
                assertPoolClean(client);
            } finally {
                caller.shutdownNow();
            }
        });
    }

}
