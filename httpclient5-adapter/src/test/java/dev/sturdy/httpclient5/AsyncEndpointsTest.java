package dev.sturdy.httpclient5;

import static dev.sturdy.httpclient5.EjectionFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.EndpointGroup;
import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.EjectionServer.Reply;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import dev.sturdy.httpclient5.testing.RefusingPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.pool.PoolStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.nio.AsyncRequestConsumer;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler.ResponseTrigger;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestConsumer;
import org.apache.hc.core5.http.nio.support.BasicResponseProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 4 and 6 at the async client: per-endpoint ejection, endpoint groups (a retry moves to a member
 * not tried yet, every member ejected fails fast without reaching a server), health checks over the
 * async probe client, and installation into a plain {@link HttpAsyncClientBuilder}. The same scenarios
 * as the classic {@link EjectionTest}, {@link EndpointGroupTest} and {@link HealthCheckTest}, with the
 * same messages and events; ejection time is a {@link FakeTicker} the test advances, except for health
 * checks, which run in real time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AsyncEndpointsTest {

    private static final Instant WALL = Instant.parse("2031-03-04T05:06:07.250Z");
    private static final String SERVICE = "http://orders:80";

    private static SimpleHttpResponse get(SturdyHttpAsyncClient client, String uri, HttpClientContext context)
            throws Exception {
        try {
            return client.execute(SimpleRequestBuilder.get(uri).build(), context, null).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static int get(SturdyHttpAsyncClient client, String pathAndQuery) throws Exception {
        return get(client, "http://orders" + pathAndQuery, HttpClientContext.create()).getCode();
    }

    private static SturdyHttpAsyncClient started(SturdyHttpAsyncClientBuilder builder) {
        final SturdyHttpAsyncClient client = builder.build();
        client.start();
        return client;
    }

    /** No leased or pending connection, no call and no retry in flight (polled for up to 3 s). */
    static void assertClean(SturdyHttpAsyncClient client) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        PoolStats stats = client.poolStats();
        while (System.nanoTime() - end < 0 && (stats.getLeased() != 0 || stats.getPending() != 0
                || client.callsInFlight() != 0 || client.retriesInFlight() != 0)) {
            Thread.sleep(10);
            stats = client.poolStats();
        }
        assertThat(stats.getLeased()).as("leased connections, %s", stats).isZero();
        assertThat(stats.getPending()).as("pending leases, %s", stats).isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.retriesInFlight()).as("retry budget slots").isZero();
    }

    @Test
    void aRetryThatEjectsTheOnlyEndpointEndsWithTheLastResponseAndTheNextCallFailsFast() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(3).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).build())
                .listener(listener)
                .build();
        try (FaultServer server = FaultServer.start(Fault.respond(503));
             SturdyHttpAsyncClient client = started(SturdyHttpAsyncClients.custom(policy).seams(ticker.seams()))) {
            final HttpClientContext context = HttpClientContext.create();
            // the second 503 ejects the only endpoint: the call ends with that response, not an exception
            assertThat(get(client, server.baseUrl() + "/x", context).getCode()).isEqualTo(503);
            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(SturdyContext.attempts(context)).isEqualTo(2);
            assertThat(listener.ejectedNow()).containsExactly(server.baseUrl());

            final HttpClientContext rejected = HttpClientContext.create();
            final Instant until = FakeTicker.ceilSecond(WALL.plusSeconds(30));
            final long t0 = System.nanoTime();
            assertThatThrownBy(() -> get(client, server.baseUrl() + "/x", rejected))
                    .isInstanceOfSatisfying(EndpointEjectedException.class, e -> {
                        assertThat(e.endpoint()).isEqualTo(server.baseUrl());
                        assertThat(e.retryAt()).isEqualTo(until);
                        assertThat(e.getSuppressed()).isEmpty();
                    })
                    .hasMessage(server.baseUrl() + " is ejected until " + until + " (2 consecutive errors)");
            assertThat(System.nanoTime() - t0).as("fail fast").isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
            assertThat(SturdyContext.attempts(rejected)).isZero();
            assertThat(server.requestCount()).as("nothing sent to the ejected endpoint").isEqualTo(2);
            assertThat(listener.rejections()).containsExactly(new CircuitRejectedEvent("GET", server.baseUrl(), 1, until));
            assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(2);
            assertThat(client.metrics().get(server.baseUrl(), ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);

            ticker.advance(Duration.ofSeconds(31)); // the ejection ends: traffic again
            assertThat(get(client, server.baseUrl() + "/x", HttpClientContext.create()).getCode()).isEqualTo(503);
            assertThat(listener.restores()).hasSize(1);
            assertClean(client);
        }
    }

    @Test
    void whenEveryMemberIsEjectedCallsFailFastWithoutReachingAServerAndAreNotRetried() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(3).retryOn(RetryOn.RESET, RetryOn.CONNECT_FAILURE).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).maxEjectionPercent(100).build())
                .listener(listener)
                .build();
        try (FaultServer a = FaultServer.start(Fault.respond(503));
             FaultServer b = FaultServer.start(Fault.respond(503));
             SturdyHttpAsyncClient client = started(SturdyHttpAsyncClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", a.baseUrl(), b.baseUrl()))
                     .seams(ticker.seams()))) {
            for (int i = 0; i < 4; i++) {
                assertThat(get(client, "/x")).isEqualTo(503);
            }
            final Instant until = FakeTicker.ceilSecond(WALL.plusSeconds(30));
            assertThat(listener.ejectedNow()).containsExactlyInAnyOrder(a.baseUrl(), b.baseUrl());
            final int requests = a.requestCount() + b.requestCount();
            final int connections = a.connectionCount() + b.connectionCount();
            final long attempts = client.metrics().get(ResilienceCounter.RQ_TOTAL);
            for (int i = 0; i < 3; i++) {
                final HttpClientContext context = HttpClientContext.create();
                assertThatThrownBy(() -> get(client, "http://orders/x?id=1", context))
                        .isInstanceOfSatisfying(EndpointEjectedException.class, e -> {
                            assertThat(e.endpoint()).isEqualTo(SERVICE);
                            assertThat(e.ejectedEndpoints()).containsExactly(a.baseUrl(), b.baseUrl());
                            assertThat(e.retryAt()).isEqualTo(until);
                        })
                        .hasMessage("all 2 members of " + SERVICE + " are ejected: "
                                + a.baseUrl() + " until " + until + " (2 consecutive errors), "
                                + b.baseUrl() + " until " + until + " (2 consecutive errors)");
                assertThat(SturdyContext.attempts(context)).isZero();
            }
            assertThat(a.requestCount() + b.requestCount()).as("no request reached a server").isEqualTo(requests);
            assertThat(a.connectionCount() + b.connectionCount()).as("nor a connection").isEqualTo(connections);
            assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(attempts);
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).as("not retried").isZero();
            assertThat(listener.rejections()).containsExactly(new CircuitRejectedEvent("GET", SERVICE, 1, until),
                    new CircuitRejectedEvent("GET", SERVICE, 1, until), new CircuitRejectedEvent("GET", SERVICE, 1, until));
            assertClean(client);
        }
    }

    @Test
    void aRetryGoesToAMemberNotYetTriedInTheCallAndTheHostHeaderStaysTheService() throws Exception {
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(3).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1000).build()) // choice only
                .build();
        try (FaultServer a = FaultServer.start(Fault.respond(503));
             FaultServer b = FaultServer.start(Fault.respond(502));
             FaultServer c = FaultServer.start(Fault.ok());
             SturdyHttpAsyncClient client = started(SturdyHttpAsyncClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", a.baseUrl(), b.baseUrl(), c.baseUrl())))) {
            for (int i = 0; i < 30; i++) {
                final int aBefore = a.requestCount();
                final int bBefore = b.requestCount();
                final int cBefore = c.requestCount();
                final HttpClientContext context = HttpClientContext.create();
                assertThat(get(client, "http://orders/x", context).getCode()).isEqualTo(200);
                assertThat(a.requestCount() - aBefore).as("call %d on a", i).isLessThanOrEqualTo(1);
                assertThat(b.requestCount() - bBefore).as("call %d on b", i).isLessThanOrEqualTo(1);
                assertThat(c.requestCount() - cBefore).as("call %d on c", i).isEqualTo(1);
                assertThat(SturdyContext.attempts(context)).isEqualTo(1 + (a.requestCount() - aBefore)
                        + (b.requestCount() - bBefore));
            }
            assertThat(a.requestCount()).as("first attempts are spread round robin").isBetween(5, 25);
            final List<String> hosts = new ArrayList<>();
            for (FaultServer s : List.of(a, b, c)) {
                s.requests().stream().map(r -> r.header("Host").orElse("-")).forEach(hosts::add);
            }
            assertThat(hosts).as("Host headers the members saw").isNotEmpty().containsOnly("orders");
            assertClean(client);
        }
    }

    @Test
    void threeReplicasOneRefusingOneAnswering503RecommendedSucceedsAndEjectionBoundsTheBadTraffic() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.recommended().toBuilder().listener(listener).build();
        final int n = policy.circuitBreaker().orElseThrow().consecutiveErrors();
        final String dead = "http://127.0.0.1:" + RefusingPort.find().port();
        final int calls = 1000;
        try (FaultServer failing = FaultServer.start(Fault.respond(503));
             FaultServer good = FaultServer.start(Fault.ok("fine"));
             SturdyHttpAsyncClient client = started(SturdyHttpAsyncClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", good.baseUrl(), dead, failing.baseUrl()))
                     .seams(ticker.seams()))) {
            int ok = 0;
            final List<String> failures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                ticker.advance(Duration.ofMillis(100)); // 1000 calls span 100 s: several ejection periods
                try {
                    if (get(client, "/api/items/" + i) == 200) {
                        ok++;
                    } else if (failures.size() < 10) {
                        failures.add("call " + i + ": not 200");
                    }
                } catch (Exception e) {
                    if (failures.size() < 10) {
                        failures.add("call " + i + ": " + e);
                    }
                }
            }
            assertThat(ok).as("successes (>= 99.9 %%), first failures %s", failures).isGreaterThanOrEqualTo(999);
            assertThat(good.requestCount()).as("every success came from the good replica, once").isEqualTo(ok);
            assertThat(good.requests()).allSatisfy(r -> assertThat(r.header("Host")).hasValue("orders"));
            final long failingEjections = client.metrics().get(failing.baseUrl(), ResilienceCounter.EJECTIONS_TOTAL);
            final long deadEjections = client.metrics().get(dead, ResilienceCounter.EJECTIONS_TOTAL);
            assertThat(failingEjections).as("several ejection periods").isGreaterThanOrEqualTo(2);
            assertThat(deadEjections).isGreaterThanOrEqualTo(2);
            assertThat((long) failing.requestCount()).as("503 replica requests: what ejection allows")
                    .isLessThanOrEqualTo(n + (failingEjections - 1));
            final long deadAttempts = client.metrics().get(dead, ResilienceCounter.RQ_TOTAL);
            assertThat(deadAttempts).isLessThanOrEqualTo(n + (deadEjections - 1));
            assertThat(client.metrics().get(dead, ResilienceCounter.CX_CONNECT_FAIL))
                    .as("each attempt tried to connect maxConnectAttempts times")
                    .isEqualTo(deadAttempts * policy.tcpRetry().maxConnectAttempts());
            assertThat(listener.ejections(good.baseUrl())).isEmpty();
            assertThat(listener.inconsistencies()).isEmpty();
            assertThat(listener.rejections()).isEmpty();
            assertClean(client);
        }
    }

    @Test
    void aFailingHealthPathEjectsAMemberWhoseApiWorksAndAPassingProbeRestoresIt() throws Exception {
        final EjectionListener listener = new EjectionListener();
        final Set<String> threadsBefore = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .collect(Collectors.toSet());
        final HealthCheckPolicy checks = HealthCheckPolicy.builder().path("/health")
                .interval(Duration.ofMillis(250)).timeout(Duration.ofMillis(250))
                .unhealthyThreshold(2).healthyThreshold(1).build();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().maxEjectionPercent(50).build())
                .listener(listener)
                .build();
        try (EjectionServer good = EjectionServer.start(path -> Reply.status(200));
             EjectionServer x = EjectionServer.start(path -> path.equals("/health") ? Reply.status(404) : Reply.status(200))) {
            final SturdyHttpAsyncClient client = started(SturdyHttpAsyncClients.custom(policy)
                    .endpointGroup(EndpointGroup.builder("http://orders").members(good.baseUrl(), x.baseUrl())
                            .healthCheck(checks).build()));
            try {
                await(() -> !listener.ejections(x.baseUrl()).isEmpty(), Duration.ofSeconds(5),
                        () -> "the probe ejects " + x.baseUrl() + "; events " + listener.events());
                final EndpointEjectedEvent ejected = listener.ejections(x.baseUrl()).get(0);
                assertThat(ejected.group()).isEqualTo(SERVICE);
                assertThat(ejected.reason()).isEqualTo(EndpointEjectedEvent.HEALTH_CHECK);
                assertThat(listener.ejections(good.baseUrl())).isEmpty();
                final int xApi = x.countOther("/health");
                for (int i = 0; i < 20; i++) {
                    assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
                }
                assertThat(x.countOther("/health")).as("API requests to the health-ejected member").isEqualTo(xApi);

                x.route(path -> Reply.status(200));
                await(() -> !listener.restores().isEmpty(), Duration.ofSeconds(5), () -> "a passing probe restores x");
                final EndpointRestoredEvent restored = listener.restores().get(0);
                assertThat(restored.endpoint()).isEqualTo(x.baseUrl());
                assertThat(restored.reason()).isEqualTo(EndpointRestoredEvent.HEALTH_CHECK_PASSED);
                final int xApiBefore = x.countOther("/health");
                for (int i = 0; i < 20; i++) {
                    assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
                }
                assertThat(x.countOther("/health") - xApiBefore).as("traffic again").isBetween(5, 15);
                assertThat(listener.inconsistencies()).isEmpty();
                assertClean(client);
            } finally {
                client.close();
            }
            // a probe in flight when the client closed may still reach the server: count the probes only once
            // every thread the client started (its scheduler, the probes' I/O reactor) has ended
            await(() -> leftover(threadsBefore).isEmpty(), Duration.ofSeconds(2),
                    () -> "threads the client started and left running: " + leftover(threadsBefore));
            final int probes = x.count("/health") + good.count("/health");
            Thread.sleep(3 * checks.interval().toMillis()); // nothing to wait for: proving an absence
            assertThat(x.count("/health") + good.count("/health")).as("probes after close").isEqualTo(probes);
        }
    }

    private static List<String> leftover(Set<String> threadsBefore) {
        final List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            final String name = t.getName();
            if (t.isAlive() && !threadsBefore.contains(name)
                    && (name.startsWith("sturdy-") || name.startsWith("httpclient-"))) {
                left.add(name);
            }
        }
        return left;
    }

    @Test
    void installIntoAPlainBuilderKeepsItsSettingsAndAddsThePolicy() throws Exception {
        final HttpAsyncClientBuilder builder = HttpAsyncClients.custom()
                .setUserAgent("orders-service/7")
                .addRequestInterceptorFirst((request, entity, context) -> request.addHeader("x-tenant", "blue"));
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
        try (FaultServer server = FaultServer.start(Fault.ok("done"))) {
            server.enqueue(Fault.respond(503));
            try (SturdyHttpAsyncClient client = SturdyHttpAsyncClients.install(policy, builder)) {
                client.start();
                final HttpClientContext context = HttpClientContext.create();
                final SimpleHttpResponse response = get(client, server.baseUrl() + "/x", context);
                assertThat(response.getCode()).isEqualTo(200);
                assertThat(response.getBodyText()).isEqualTo("done");
                assertThat(SturdyContext.attempts(context)).isEqualTo(2);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isEqualTo(1);
                assertThat(client.policy()).isSameAs(policy);
                final List<RecordedRequest> seen = server.requests();
                assertThat(seen).hasSize(2);
                assertThat(seen).allSatisfy(r -> {
                    assertThat(r.header("x-tenant")).as("the builder's interceptor").contains("blue");
                    assertThat(r.header("User-Agent")).as("the builder's user agent").contains("orders-service/7");
                });
                assertClean(client);
            }
        }
        assertThatThrownBy(() -> SturdyHttpAsyncClients.install(policy, SturdyHttpAsyncClients.custom(policy)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("builder: a SturdyHttpAsyncClientBuilder"
                        + " (expected: a plain HttpAsyncClientBuilder; a sturdy builder has its policy already)");
    }

    @Test
    void overHttp2AGroupMovesARetryToAnotherMemberAndKeepsTheServiceAsAuthority() throws Exception {
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1000).build()) // choice only
                .build();
        try (H2Member failing = H2Member.start(503);
             H2Member good = H2Member.start(200);
             SturdyHttpAsyncClient client = started(SturdyHttpAsyncClients.custom(policy)
                     .connectionManager(pool -> pool.setDefaultTlsConfig(TlsConfig.custom()
                             .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build()))
                     .endpointGroup(EndpointGroup.of("http://orders", failing.baseUrl(), good.baseUrl())))) {
            for (int i = 0; i < 10; i++) {
                final HttpClientContext context = HttpClientContext.create();
                final SimpleHttpResponse response = get(client, "http://orders/h2/" + i, context);
                assertThat(response.getCode()).isEqualTo(200);
                assertThat(response.getVersion().getMajor()).as("HTTP major version").isEqualTo(2);
                assertThat(SturdyContext.attempts(context)).isBetween(1, 2);
            }
            assertThat(good.authorities).as("requests the good member saw").hasSize(10).containsOnly("orders");
            assertThat(failing.authorities).as("first attempts spread round robin").hasSize(5).containsOnly("orders");
            assertThat(client.metrics().get(failing.baseUrl(), ResilienceCounter.RQ_TOTAL)).isEqualTo(5);
            assertClean(client);
        }
    }

    /** An HTTP/2 (cleartext, prior knowledge) member answering every stream with one status; records :authority. */
    private static final class H2Member implements AutoCloseable {

        final List<String> authorities = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final HttpAsyncServer server;
        private final int port;

        private H2Member(int status) throws Exception {
            server = H2ServerBootstrap.bootstrap()
                    .setCanonicalHostName("orders") // the authority members are asked for
                    .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
                    .register("*", new AsyncServerRequestHandler<Message<HttpRequest, Void>>() {
                        @Override
                        public AsyncRequestConsumer<Message<HttpRequest, Void>> prepare(HttpRequest request,
                                EntityDetails entityDetails, HttpContext context) {
                            return new BasicRequestConsumer<>(entityDetails == null ? null : new DiscardingEntityConsumer<>());
                        }

                        @Override
                        public void handle(Message<HttpRequest, Void> message, ResponseTrigger trigger, HttpContext context)
                                throws HttpException, IOException {
                            authorities.add(String.valueOf(message.getHead().getAuthority()));
                            trigger.submitResponse(new BasicResponseProducer(status, "status " + status,
                                    ContentType.TEXT_PLAIN), context);
                        }
                    })
                    .create();
            server.start();
            final ListenerEndpoint endpoint = server.listen(new InetSocketAddress("127.0.0.1", 0), URIScheme.HTTP).get();
            port = ((InetSocketAddress) endpoint.getAddress()).getPort();
        }

        static H2Member start(int status) throws Exception {
            return new H2Member(status);
        }

        String baseUrl() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() {
            server.close(CloseMode.IMMEDIATE);
        }
    }
}
