package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.FixtureThreads;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The async client's own lifecycle: cancelling a call in flight and during its backoff wait, the hard deadline
 * against a silent server, a per-try timeout followed by a successful retry, and no sturdy thread
 * left after close.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AsyncCallLifecycleTest {

    private FaultServer server;
    private SturdyHttpAsyncClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private SturdyHttpAsyncClient start(ResiliencePolicy policy, Seams seams) {
        client = SturdyHttpAsyncClients.custom(policy).seams(seams).build();
        client.start();
        return client;
    }

    @Test
    void cancellingDuringBackoffSendsNoFurtherAttempt() throws Exception {
        server = FaultServer.start(Fault.respond(503));
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(3)
                        .backoff(Duration.ofMillis(400), Duration.ofMillis(400)).build())
                .build();
        // the jitter draw 0.99 makes the first backoff wait ~396 ms
        start(policy, Seams.SYSTEM.withRandom(() -> 0.99));

        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get(server.uri("/a")).build(), null);
        awaitTrue(() -> client.metrics().get(ResilienceCounter.RQ_RETRY) == 1, "the retry is scheduled");
        assertThat(call.cancel(true)).isTrue();

        assertThatThrownBy(() -> call.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        Thread.sleep(700); // well past the backoff wait: a retry that was still due would have been sent
        assertThat(server.requestCount()).as("requests the server saw").isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(1);
        assertIdle();
    }

    @Test
    void cancellingTheCallCancelsTheAttemptInFlight() throws Exception {
        server = FaultServer.start(Fault.silent());
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().retryOn(RetryOn.RESET)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
        start(policy, Seams.SYSTEM);

        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get(server.uri("/a")).build(), null);
        server.awaitRequestCount(1, Duration.ofSeconds(2));
        assertThat(call.cancel(true)).isTrue();

        assertThatThrownBy(() -> call.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        Thread.sleep(100);
        assertThat(server.requestCount()).as("a cancelled call is never retried").isEqualTo(1);
        assertIdle();
        assertThat(client.poolStats().getAvailable()).as("the cancelled exchange's connection is not kept for reuse: %s",
                client.poolStats()).isZero();
    }

    @Test
    void overallDeadlineEndsACallToASilentServer() throws Exception {
        server = FaultServer.start(Fault.ok("warm"));
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofMillis(300)).build())
                .build();
        // a first call loads and initialises HttpClient's classes, which on a loaded machine takes longer
        // than this deadline: warm up with another client first
        try (SturdyHttpAsyncClient warm = SturdyHttpAsyncClients.custom(ResiliencePolicy.none()).build()) {
            warm.start();
            warm.execute(SimpleRequestBuilder.get(server.uri("/warm")).build(), null).get(10, TimeUnit.SECONDS);
        }
        server.enqueue(Fault.silent());
        start(policy, Seams.SYSTEM);

        long begin = System.nanoTime();
        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get(server.uri("/slow")).build(), null);
        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(DeadlineExceededException.class)
                .hasMessage("GET http://127.0.0.1:" + server.port() + " exceeded responseTimeout PT0.3S after 1 attempt");
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        // the upper bound only tells the deadline apart from a call left hanging (which the 5 s get would show)
        assertThat(elapsedMillis).as("elapsed ms").isBetween(290L, 2000L);
        assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
        assertIdle();
    }

    @Test
    void perTryTimeoutIsRetriedAndTheRetrySucceeds() throws Exception {
        server = FaultServer.start(Fault.ok("fine"));
        server.enqueue(Fault.silent());
        ResiliencePolicy policy = ResiliencePolicy.builder()
                // per try 1 s: the retry opens a new connection, which on a loaded machine can take a few
                // hundred ms; it must be answered within one per-try window or a third attempt runs
                .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(10))
                        .perTryTimeout(Duration.ofSeconds(1)).build())
                .retry(HttpRetryPolicy.builder().retryOn(RetryOn.RESET)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
        start(policy, Seams.SYSTEM);

        HttpClientContext context = HttpClientContext.create();
        SimpleHttpResponse response = client.execute(SimpleRequestBuilder.get(server.uri("/x")).build(), context, null)
                .get(10, TimeUnit.SECONDS);

        assertThat(response.getCode()).isEqualTo(200);
        assertThat(response.getBodyText()).isEqualTo("fine");
        assertThat(SturdyContext.attempts(context)).isEqualTo(2);
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_SUCCESS)).isEqualTo(1);
        assertIdle();
    }

    @Test
    void closingTheClientLeavesNoSturdyThread() throws Exception {
        server = FaultServer.start(Fault.ok("fine"));
        server.enqueue(Fault.respond(503));
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
        start(policy, Seams.SYSTEM);
        SimpleHttpResponse response = client.execute(SimpleRequestBuilder.get(server.uri("/x")).build(), null)
                .get(5, TimeUnit.SECONDS);
        assertThat(response.getCode()).isEqualTo(200);
        assertThat(client.sturdyThreadsRunning()).isTrue();

        client.close();

        awaitTrue(() -> !client.sturdyThreadsRunning(), "sturdy's threads stop");
        client = null;
        FixtureThreads.assertNoThreadsLeft("sturdy-async-retry-");
    }

    @Test
    void closingTheClientFailsACallWaitingToRetry() throws Exception {
        server = FaultServer.start(Fault.respond(503));
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(2)).build())
                .build();
        start(policy, Seams.SYSTEM.withRandom(() -> 0.99));
        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get(server.uri("/x")).build(), null);
        awaitTrue(() -> client.metrics().get(ResilienceCounter.RQ_RETRY) == 1, "the retry is scheduled");

        client.close();

        assertThatThrownBy(() -> call.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(CancellationException.class)
                .hasMessage("Request execution cancelled: client closed");
        assertThat(client.callsInFlight()).isZero();
        assertThat(client.retriesInFlight()).isZero();
        client = null;
    }

    @Test
    void closingTheClientImmediatelyEndsACallInFlight() throws Exception {
        server = FaultServer.start(Fault.silent());
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(30)).build())
                .build();
        start(policy, Seams.SYSTEM);
        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get(server.uri("/x")).build(), null);
        server.awaitRequestCount(1, Duration.ofSeconds(3));

        client.close(CloseMode.IMMEDIATE);

        // the call ends now, not after its 30 s deadline, and in one way whichever of the closing
        // reactor (connection closed, reactor shut down) or sturdy's stopping deadline thread gets to it first
        assertThatThrownBy(() -> call.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isExactlyInstanceOf(CancellationException.class)
                .hasMessage("Request execution cancelled: client closed");
        assertThat(client.callsInFlight()).isZero();
        client = null;
    }

    @Test
    void closingTheClientGracefullyLetsACallInFlightFinish() throws Exception {
        server = FaultServer.start(Fault.ok("late").delayedBy(Duration.ofMillis(300)));
        start(ResiliencePolicy.builder().build(), Seams.SYSTEM);
        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get(server.uri("/x")).build(), null);
        server.awaitRequestCount(1, Duration.ofSeconds(3));

        client.close(CloseMode.GRACEFUL);

        SimpleHttpResponse response = call.get(2, TimeUnit.SECONDS);
        assertThat(response.getCode()).isEqualTo(200);
        assertThat(response.getBodyText()).isEqualTo("late");
        assertThat(client.callsInFlight()).isZero();
        client = null;
    }

    private void assertIdle() throws InterruptedException {
        awaitTrue(() -> client.poolStats().getLeased() == 0 && client.poolStats().getPending() == 0
                && client.callsInFlight() == 0 && client.retriesInFlight() == 0, "pool and in-flight gauges back to 0");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }
}
