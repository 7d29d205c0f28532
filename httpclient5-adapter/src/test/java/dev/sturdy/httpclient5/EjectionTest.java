package dev.sturdy.httpclient5;

import static dev.sturdy.httpclient5.EjectionFixtures.assertClean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.PoolOverflowException;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.LogCapture;
import dev.sturdy.httpclient5.testing.LogEvent;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * SPEC 4 at the classic adapter, for a lone endpoint (the classic circuit breaker): what ejects, how long
 * an ejection lasts, probation, the fail-fast exception, and the events, logs and counters that report
 * it. Time is a {@link FakeTicker} the test advances, so nothing sleeps for an ejection.
 */
class EjectionTest {

    /** A wall clock with a fraction of a second, so the rounding up of printed instants is exercised. */
    private static final Instant WALL = Instant.parse("2031-03-04T05:06:07.250Z");
    private static final String PATH = "/orders/42?token=s3cr3t";

    private static int get(SturdyHttpClient client, URI uri) throws IOException {
        return client.execute(new HttpGet(uri), r -> r.getCode());
    }

    private static long counter(SturdyHttpClient client, ResilienceCounter c) {
        return client.metrics().get(c);
    }

    /**
     * Asserts the next call fails fast with exactly {@code message}: no request, no connection, no
     * attempt counted.
     */
    private static EndpointEjectedException assertFailsFast(SturdyHttpClient client, FaultServer server, String message)
            throws IOException {
        final int requests = server.requestCount();
        final int connections = server.connectionCount();
        final long attempts = counter(client, ResilienceCounter.RQ_TOTAL);
        final long retries = counter(client, ResilienceCounter.RQ_RETRY);
        final HttpClientContext context = HttpClientContext.create();
        final long t0 = System.nanoTime();
        final Throwable thrown = catchThrowable(
                () -> client.execute(new HttpGet(server.uri(PATH)), context, r -> r.getCode()));
        final long tookNanos = System.nanoTime() - t0;
        assertThat(thrown).isInstanceOf(EndpointEjectedException.class).hasMessage(message);
        final EndpointEjectedException e = (EndpointEjectedException) thrown;
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.getSuppressed()).isEmpty();
        assertThat(e.endpoint()).isEqualTo(server.baseUrl());
        assertThat(e.ejectedEndpoints()).containsExactly(server.baseUrl());
        assertThat(message).contains(e.retryAt().toString());
        assertThat(tookNanos).as("fail fast").isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(server.requestCount()).as("the server sees nothing during an ejection").isEqualTo(requests);
        assertThat(server.connectionCount()).as("not even a connection").isEqualTo(connections);
        assertThat(counter(client, ResilienceCounter.RQ_TOTAL)).as("no attempt").isEqualTo(attempts);
        assertThat(counter(client, ResilienceCounter.RQ_RETRY)).as("not retried").isEqualTo(retries);
        assertThat(SturdyContext.attempts(context)).as("attempts of a rejected call").isZero();
        return e;
    }

    private static String ejectedLog(String ep, Duration d, Instant until, String why, int k) {
        return "ejected " + ep + " for " + d + " until " + until + " (" + why + "; ejection " + k + ")";
    }

    private static String restoredLog(String ep, Duration d) {
        return "restored " + ep + " after " + d + " (ejection-ended)";
    }

    @Test
    void ejectionGrowsByBaseIsCappedEndsOnTimeAndReEjectsOnProbation() throws Exception {
        // start just before nanoTime wraps around: every comparison must be by subtraction
        final FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(100), WALL);
        final EjectionListener listener = new EjectionListener();
        final CircuitBreakerPolicy breaker = CircuitBreakerPolicy.builder().consecutiveErrors(3)
                .interval(Duration.ofSeconds(10)).baseEjectionTime(Duration.ofSeconds(30))
                .maxEjectionTime(Duration.ofSeconds(90)).build();
        final ResiliencePolicy policy = ResiliencePolicy.builder().circuitBreaker(breaker).listener(listener).build();
        final Duration s30 = Duration.ofSeconds(30);
        final Duration s60 = Duration.ofSeconds(60);
        final Duration s90 = Duration.ofSeconds(90);
        try (LogCapture logs = LogCapture.start();
             FaultServer server = FaultServer.start(Fault.respond(503));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(ticker.seams()).build()) {
            final String ep = server.baseUrl();
            final URI uri = server.uri(PATH);
            final List<Object> expectedEvents = new ArrayList<>();
            final List<String> expectedLogs = new ArrayList<>();

            // 1st ejection: three errors in a row, 1 x 30 s
            assertThat(get(client, uri)).isEqualTo(503);
            assertThat(get(client, uri)).isEqualTo(503);
            assertThat(listener.ejections()).isEmpty();
            assertThat(get(client, uri)).isEqualTo(503);
            Instant until = FakeTicker.ceilSecond(ticker.wallClock().plus(s30));
            assertThat(until.toString()).isEqualTo("2031-03-04T05:06:38Z"); // 05:06:37.250 rounded up
            expectedEvents.add(new EndpointEjectedEvent(ep, ep, "consecutive-errors", 3, 1, s30, until));
            expectedLogs.add(ejectedLog(ep, s30, until, "3 consecutive errors", 1));
            assertThat(counter(client, ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
            EndpointEjectedException e = assertFailsFast(client, server,
                    ep + " is ejected until 2031-03-04T05:06:38Z (3 consecutive errors)");
            assertThat(e.retryAt()).isEqualTo(until);
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));
            ticker.advance(s30.minusMillis(1));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (3 consecutive errors)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));

            // its time is up: admitted on probation, where one error ejects for 2 x 30 s
            ticker.advance(Duration.ofMillis(1));
            assertThat(get(client, uri)).isEqualTo(503);
            assertThat(server.requestCount()).isEqualTo(4);
            expectedEvents.add(new EndpointRestoredEvent(ep, ep, "ejection-ended", s30));
            expectedLogs.add(restoredLog(ep, s30));
            until = FakeTicker.ceilSecond(ticker.wallClock().plus(s60));
            expectedEvents.add(new EndpointEjectedEvent(ep, ep, "error-on-probation", 1, 2, s60, until));
            expectedLogs.add(ejectedLog(ep, s60, until, "error on probation", 2));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (error on probation)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));

            // 3 x 30 s = 90 s, the cap
            ticker.advance(s60);
            assertThat(get(client, uri)).isEqualTo(503);
            expectedEvents.add(new EndpointRestoredEvent(ep, ep, "ejection-ended", s60));
            expectedLogs.add(restoredLog(ep, s60));
            until = FakeTicker.ceilSecond(ticker.wallClock().plus(s90));
            expectedEvents.add(new EndpointEjectedEvent(ep, ep, "error-on-probation", 1, 3, s90, until));
            expectedLogs.add(ejectedLog(ep, s90, until, "error on probation", 3));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (error on probation)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));
            ticker.advance(s90.minusMillis(1));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (error on probation)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));

            // 4 x 30 s would be 120 s: capped at 90 s
            ticker.advance(Duration.ofMillis(1));
            assertThat(get(client, uri)).isEqualTo(503);
            expectedEvents.add(new EndpointRestoredEvent(ep, ep, "ejection-ended", s90));
            expectedLogs.add(restoredLog(ep, s90));
            until = FakeTicker.ceilSecond(ticker.wallClock().plus(s90));
            expectedEvents.add(new EndpointEjectedEvent(ep, ep, "error-on-probation", 1, 3, s90, until));
            expectedLogs.add(ejectedLog(ep, s90, until, "error on probation", 3));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (error on probation)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));
            assertThat(server.requestCount()).isEqualTo(6);

            // healthy again: two clean intervals lower k from 3 to 1, so the next error ejects for 2 x 30 s
            ticker.advance(s90);
            server.setDefaultBehaviour(Fault.ok());
            assertThat(get(client, uri)).isEqualTo(200);
            expectedEvents.add(new EndpointRestoredEvent(ep, ep, "ejection-ended", s90));
            expectedLogs.add(restoredLog(ep, s90));
            ticker.advance(Duration.ofSeconds(20));
            assertThat(get(client, uri)).isEqualTo(200);
            server.enqueue(Fault.respond(503));
            assertThat(get(client, uri)).isEqualTo(503);
            until = FakeTicker.ceilSecond(ticker.wallClock().plus(s60));
            expectedEvents.add(new EndpointEjectedEvent(ep, ep, "error-on-probation", 1, 2, s60, until));
            expectedLogs.add(ejectedLog(ep, s60, until, "error on probation", 2));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (error on probation)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));

            // two more clean intervals bring k to 0: probation is over, it takes 3 errors in a row again,
            // and a success resets the count
            ticker.advance(s60);
            assertThat(get(client, uri)).isEqualTo(200);
            expectedEvents.add(new EndpointRestoredEvent(ep, ep, "ejection-ended", s60));
            expectedLogs.add(restoredLog(ep, s60));
            ticker.advance(Duration.ofSeconds(20));
            server.enqueue(Fault.respond(503), Fault.respond(503), Fault.ok(), Fault.respond(503), Fault.respond(503));
            for (int expected : new int[] {503, 503, 200, 503, 503}) {
                assertThat(get(client, uri)).isEqualTo(expected);
            }
            assertThat(listener.ejectedNow()).isEmpty();
            server.enqueue(Fault.respond(503));
            assertThat(get(client, uri)).isEqualTo(503);
            until = FakeTicker.ceilSecond(ticker.wallClock().plus(s30));
            expectedEvents.add(new EndpointEjectedEvent(ep, ep, "consecutive-errors", 3, 1, s30, until));
            expectedLogs.add(ejectedLog(ep, s30, until, "3 consecutive errors", 1));
            assertFailsFast(client, server, ep + " is ejected until " + until + " (3 consecutive errors)");
            expectedEvents.add(new CircuitRejectedEvent("GET", ep, 1, until));

            // the whole story, exactly: events, INFO logs, counters
            assertThat(listener.events()).containsExactlyElementsOf(expectedEvents);
            assertThat(listener.inconsistencies()).isEmpty();
            logs.close();
            final List<LogEvent> info = logs.events("dev.sturdy", Level.INFO);
            assertThat(info.stream().map(LogEvent::message).collect(Collectors.toList()))
                    .containsExactlyElementsOf(expectedLogs);
            assertThat(logs.events("dev.sturdy", Level.ERROR)).isEmpty();
            assertThat(logs.events("dev.sturdy", Level.WARN)).isEmpty();
            assertThat(info).allSatisfy(l -> assertThat(l.message()).doesNotContain("/orders").doesNotContain("?"));
            logs.assertNoEventContains("s3cr3t", "dev.sturdy");
            assertThat(counter(client, ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(6);
            assertThat(counter(client, ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
            assertThat(client.metrics().get(ep, ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(6);
            assertThat(client.metrics().get(ep, ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
            assertThat(counter(client, ResilienceCounter.RQ_TOTAL)).isEqualTo(server.requestCount());
            assertThat(counter(client, ResilienceCounter.RQ_RETRY)).isZero();
            assertClean(client);
        }
    }

    @Test
    void localOriginFailuresEjectAndARejectedCallIsNeverRetried() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(1).retryOn(RetryOn.RESET, RetryOn.CONNECT_FAILURE).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(4).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start(Fault.resetAfterRequest());
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(ticker.seams()).build()) {
            final String ep = server.baseUrl();
            for (int call = 0; call < 2; call++) {
                assertThatThrownBy(() -> get(client, server.uri(PATH))).isInstanceOf(SocketException.class);
            }
            // the 4th reset, on the last attempt of the 2nd call, ejected the endpoint for 30 s (the default)
            assertThat(server.requestCount()).isEqualTo(4);
            assertThat(counter(client, ResilienceCounter.RQ_RETRY)).isEqualTo(2);
            final Instant until = FakeTicker.ceilSecond(WALL.plusSeconds(30));
            assertThat(listener.ejections()).containsExactly(
                    new EndpointEjectedEvent(ep, ep, "consecutive-errors", 4, 1, Duration.ofSeconds(30), until));

            // a reset and a refused connection would be retried; the rejection is not
            for (int call = 0; call < 3; call++) {
                assertFailsFast(client, server, ep + " is ejected until 2031-03-04T05:06:38Z (4 consecutive errors)");
            }
            assertThat(listener.rejections()).containsExactly(new CircuitRejectedEvent("GET", ep, 1, until),
                    new CircuitRejectedEvent("GET", ep, 1, until), new CircuitRejectedEvent("GET", ep, 1, until));
            assertThat(listener.retries()).hasSize(2);
            assertThat(counter(client, ResilienceCounter.RQ_RETRY)).isEqualTo(2);
            assertThat(counter(client, ResilienceCounter.RQ_TOTAL)).isEqualTo(4);
            assertClean(client);
        }
    }

    @Test
    void poolOverflowNeverCountsAgainstTheEndpoint() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2)).build())
                // resets and refused connections would be retried, an overflow is not (nor is a 503 here)
                .retry(HttpRetryPolicy.builder().maxRetries(3).retryOn(RetryOn.RESET, RetryOn.CONNECT_FAILURE).build())
                // the strictest breaker: a single counted error ejects
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1).build())
                .connectionPool(ConnectionPoolPolicy.builder().maxConnections(1).http1MaxPendingRequests(0).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(ticker.seams()).build()) {
            server.enqueue(Fault.ok("slow").delayedBy(Duration.ofMillis(700)));
            final Thread holder = new Thread(() -> {
                try {
                    get(client, server.uri("/hold"));
                } catch (IOException ignored) {
                    // checked through the server
                }
            }, "ejection-test-holder");
            holder.start();
            server.awaitRequestCount(1, Duration.ofSeconds(5));
            int overflows = 0;
            for (int i = 0; i < 50; i++) {
                try {
                    get(client, server.uri("/storm"));
                } catch (PoolOverflowException e) {
                    overflows++;
                } catch (IOException e) {
                    throw new AssertionError("storm call " + i + " after " + overflows + " overflows: " + e
                            + ", events " + listener.events(), e);
                }
            }
            holder.join(5000);
            assertThat(holder.isAlive()).isFalse();
            assertThat(overflows).as("the storm overflowed while the only connection was busy").isGreaterThan(0);
            assertThat(counter(client, ResilienceCounter.RQ_PENDING_OVERFLOW)).isEqualTo(overflows);
            assertThat(listener.ejections()).as("overflow is our saturation, not the endpoint's").isEmpty();
            assertThat(counter(client, ResilienceCounter.EJECTIONS_TOTAL)).isZero();
            assertThat(get(client, server.uri("/after"))).isEqualTo(200);
            // control: the breaker is armed, one 503 ejects
            server.enqueue(Fault.respond(503));
            assertThat(get(client, server.uri("/control"))).isEqualTo(503);
            assertThat(listener.ejections()).hasSize(1);
            assertThat(counter(client, ResilienceCounter.RQ_RETRY)).as("the overflows were not retried").isZero();
            assertThat(counter(client, ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(1);
            assertClean(client);
        }
    }

    @Test
    void fourXxNeverCountsAndAnyNonErrorResetsTheCount() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start(Fault.respond(404));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(ticker.seams()).build()) {
            for (int i = 0; i < 20; i++) {
                assertThat(get(client, server.uri("/missing"))).isEqualTo(404);
            }
            final int[] script = {503, 404, 500, 429, 502, 400, 504, 409, 503};
            for (int status : script) {
                server.enqueue(Fault.respond(status));
            }
            for (int status : script) {
                assertThat(get(client, server.uri("/x"))).isEqualTo(status);
            }
            assertThat(listener.ejections()).isEmpty();
            server.enqueue(Fault.respond(500));
            assertThat(get(client, server.uri("/x"))).isEqualTo(500);
            final String ep = server.baseUrl();
            assertThat(listener.ejections()).containsExactly(new EndpointEjectedEvent(ep, ep, "consecutive-errors", 2, 1,
                    Duration.ofSeconds(30), FakeTicker.ceilSecond(WALL.plusSeconds(30))));
            assertClean(client);
        }
    }

    @Test
    void gatewayErrorsOnlyCountsOnly502To504AndLocalFailures() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).gatewayErrorsOnly(true).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start(Fault.respond(500));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(ticker.seams()).build()) {
            for (int i = 0; i < 10; i++) {
                assertThat(get(client, server.uri("/x"))).isEqualTo(500);
            }
            server.enqueue(Fault.respond(502), Fault.respond(501), Fault.respond(504), Fault.respond(500),
                    Fault.respond(503));
            for (int status : new int[] {502, 501, 504, 500, 503}) {
                assertThat(get(client, server.uri("/x"))).isEqualTo(status);
            }
            assertThat(listener.ejections()).as("a 500 or 501 resets the count").isEmpty();
            server.enqueue(Fault.closeWithoutResponse());
            assertThatThrownBy(() -> get(client, server.uri("/x"))).isInstanceOf(IOException.class);
            final String ep = server.baseUrl();
            assertThat(listener.ejections()).containsExactly(new EndpointEjectedEvent(ep, ep, "consecutive-errors", 2, 1,
                    Duration.ofSeconds(30), FakeTicker.ceilSecond(WALL.plusSeconds(30))));
            assertClean(client);
        }
    }

    @Test
    void aRetryThatFindsTheEndpointEjectedEndsTheCallWithTheLastResponse() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(3).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start(Fault.respond(503));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(ticker.seams()).build()) {
            final HttpClientContext context = HttpClientContext.create();
            // SPEC 2.7: the last attempt produced a response, so it is returned (as when the budget or the
            // deadline stops a retry); the ejection its own 503 caused must not turn it into an exception
            final int status = client.execute(new HttpGet(server.uri("/x")), context, r -> r.getCode());
            assertThat(status).isEqualTo(503);
            assertThat(server.requestCount()).isEqualTo(1);
            assertThat(SturdyContext.attempts(context)).isEqualTo(1);
            assertClean(client);
        }
    }

    @Test
    void anEjectionEndsOnTimeWithoutTraffic() throws Exception {
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1).interval(Duration.ofMillis(100))
                        .baseEjectionTime(Duration.ofMillis(200)).maxEjectionTime(Duration.ofSeconds(1)).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start(Fault.respond(503));
             SturdyHttpClient client = SturdyHttpClients.custom(policy).seams(Seams.SYSTEM.withSleeper(n -> { }))
                     .build()) {
            assertThat(get(client, server.uri("/x"))).isEqualTo(503);
            assertThat(counter(client, ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
            // SPEC 4: "the sweep every interval restores endpoints whose ejection time has passed": the
            // gauge, the restored event and its log do not wait for the next request
            // (the sweep thread lowers the gauge under the endpoint's lock and tells the listener just after)
            EjectionFixtures.await(() -> counter(client, ResilienceCounter.EJECTIONS_ACTIVE) == 0
                            && !listener.restores().isEmpty(),
                    Duration.ofSeconds(2), () -> "ejections_active back to 0 and the restore told without traffic, "
                            + client.metrics() + ", restores " + listener.restores());
            assertThat(listener.restores()).hasSize(1);
            assertClean(client);
        }
    }
}
