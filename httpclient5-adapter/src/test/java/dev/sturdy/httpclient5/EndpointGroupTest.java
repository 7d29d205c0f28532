package dev.sturdy.httpclient5;

import static dev.sturdy.httpclient5.EjectionFixtures.assertClean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.EndpointGroup;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.RetryOn;
import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.EjectionServer.Reply;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RefusingPort;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4 and 6 at the classic adapter: a logical service ({@code http://orders}) spread over loopback
 * replicas, with load balancing, retries that move to another replica, outlier ejection capped by
 * {@code maxEjectionPercent}, and the fail-fast exception when every replica is ejected. Ejection time
 * is a {@link FakeTicker} the test advances.
 */
class EndpointGroupTest {

    private static final Instant WALL = Instant.parse("2031-03-04T05:06:07.250Z");
    private static final String SERVICE = "http://orders:80";

    private static int get(SturdyHttpClient client, String pathAndQuery) throws IOException {
        return client.execute(new HttpGet(URI.create("http://orders" + pathAndQuery)), r -> r.getCode());
    }

    private static long counter(SturdyHttpClient client, String endpoint, ResilienceCounter c) {
        return client.metrics().get(endpoint, c);
    }

    private static String url(RefusingPort port) {
        return "http://127.0.0.1:" + port.port();
    }

    @Test
    void threeReplicasOneRefusingOneAnswering503RecommendedSucceedsAndEjectionBoundsTheBadTraffic() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.recommended().toBuilder().listener(listener).build();
        final CircuitBreakerPolicy breaker = policy.circuitBreaker().orElseThrow();
        final int maxConnectAttempts = policy.tcpRetry().maxConnectAttempts();
        final RefusingPort refusing = RefusingPort.find();
        final int calls = 3000;
        final Duration step = Duration.ofMillis(100); // 3000 calls span 300 s: several ejection periods
        try (FaultServer good = FaultServer.start(Fault.ok("fine"));
             FaultServer failing = FaultServer.start(Fault.respond(503));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", good.baseUrl(), url(refusing), failing.baseUrl()))
                     .seams(ticker.seams())
                     .build()) {
            int ok = 0;
            final List<String> failures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                ticker.advance(step);
                try {
                    final int status = get(client, "/api/items/" + i + "?page=1");
                    if (status == 200) {
                        ok++;
                    } else if (failures.size() < 10) {
                        failures.add("call " + i + ": status " + status);
                    }
                } catch (IOException e) {
                    if (failures.size() < 10) {
                        failures.add("call " + i + ": " + e);
                    }
                }
            }
            System.out.println("EndpointGroupTest: " + ok + " of " + calls + " GETs succeeded; " + client.metrics());
            assertThat(ok).as("successes (>= 99.9 %%), first failures %s", failures).isGreaterThanOrEqualTo(2997);
            assertThat(good.requestCount()).as("every success came from the good replica, once").isEqualTo(ok);

            // the replicas see the service's authority, not their own address
            assertThat(good.requests()).allSatisfy(r -> assertThat(r.header("Host")).hasValue("orders"));
            assertThat(failing.requests()).allSatisfy(r -> assertThat(r.header("Host")).hasValue("orders"));
            assertThat(good.requests().get(0).target()).isEqualTo("/api/items/0?page=1");

            // what ejection allows: consecutiveErrors for the first ejection, then one error on probation
            // for each later one (k keeps growing: the replica never recovers)
            final int n = breaker.consecutiveErrors();
            final long failingEjections = counter(client, failing.baseUrl(), ResilienceCounter.EJECTIONS_TOTAL);
            final long refusingEjections = counter(client, url(refusing), ResilienceCounter.EJECTIONS_TOTAL);
            assertThat(failingEjections).as("several ejection periods were exercised").isGreaterThanOrEqualTo(3);
            assertThat(refusingEjections).isGreaterThanOrEqualTo(3);
            assertThat((long) failing.requestCount()).as("503 replica requests")
                    .isLessThanOrEqualTo(n + (failingEjections - 1))
                    .isLessThan(calls / 100);
            final long refusingAttempts = counter(client, url(refusing), ResilienceCounter.RQ_TOTAL);
            assertThat(refusingAttempts).as("attempts sent to the refusing replica")
                    .isLessThanOrEqualTo(n + (refusingEjections - 1));
            assertThat(counter(client, url(refusing), ResilienceCounter.CX_CONNECT_FAIL))
                    .as("each attempt tried to connect maxConnectAttempts times")
                    .isEqualTo(refusingAttempts * maxConnectAttempts);
            assertThat(counter(client, good.baseUrl(), ResilienceCounter.EJECTIONS_TOTAL)).isZero();

            // events and counters agree
            assertThat(listener.ejections(good.baseUrl())).isEmpty();
            assertThat(listener.ejections(failing.baseUrl())).hasSize((int) failingEjections);
            assertThat(listener.ejections(url(refusing))).hasSize((int) refusingEjections);
            assertThat(listener.ejections(failing.baseUrl()).get(0))
                    .isEqualTo(new EndpointEjectedEvent(failing.baseUrl(), SERVICE, "consecutive-errors", n, 1,
                            breaker.baseEjectionTime(), listener.ejections(failing.baseUrl()).get(0).until()));
            assertThat(listener.inconsistencies()).isEmpty();
            assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(failingEjections + refusingEjections);
            assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(listener.ejectedNow().size());
            assertThat(listener.rejections()).isEmpty();
            assertClean(client);
        }
    }

    @Test
    void concurrentCallersStayWithinWhatEjectionAllows() throws Exception {
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy recommended = ResiliencePolicy.recommended();
        // the retry budget (3 concurrent retries) would end some calls early while all 8 callers retry at
        // once at the start; that is the budget's job, tested elsewhere, not ejection's
        final ResiliencePolicy policy = recommended.toBuilder()
                .retry(recommended.retry().orElseThrow().toBuilder().budget(RetryBudget.unlimited()).build())
                .listener(listener)
                .build();
        final int n = policy.circuitBreaker().orElseThrow().consecutiveErrors();
        final RefusingPort refusing = RefusingPort.find();
        final int threads = 8;
        final int callsPerThread = 400;
        try (FaultServer good = FaultServer.start(Fault.ok("fine"));
             FaultServer failing = FaultServer.start(Fault.respond(503));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", good.baseUrl(), url(refusing), failing.baseUrl()))
                     .seams(Seams.SYSTEM.withSleeper(nanos -> { })) // real time: ejections outlast the test
                     .build()) {
            final ExecutorService pool = Executors.newFixedThreadPool(threads);
            final AtomicInteger ok = new AtomicInteger();
            final List<Future<?>> done = new ArrayList<>();
            try {
                final CountDownLatch start = new CountDownLatch(1);
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < callsPerThread; i++) {
                            try {
                                if (get(client, "/api/items/" + i) == 200) {
                                    ok.incrementAndGet();
                                }
                            } catch (IOException e) {
                                // counted as not ok
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            final int calls = threads * callsPerThread;
            assertThat(ok.get()).as("successes of %d concurrent calls, %s", calls, client.metrics())
                    .isGreaterThanOrEqualTo(calls - calls / 1000);
            // per ejection: n - 1 errors counted before, plus at most one attempt in flight per caller
            final long failingEjections = counter(client, failing.baseUrl(), ResilienceCounter.EJECTIONS_TOTAL);
            final long refusingEjections = counter(client, url(refusing), ResilienceCounter.EJECTIONS_TOTAL);
            assertThat(failingEjections).isPositive();
            assertThat(refusingEjections).isPositive();
            assertThat((long) failing.requestCount()).isLessThanOrEqualTo(failingEjections * (n - 1 + threads));
            assertThat(counter(client, url(refusing), ResilienceCounter.RQ_TOTAL))
                    .isLessThanOrEqualTo(refusingEjections * (n - 1 + threads));
            assertThat(listener.ejections(good.baseUrl())).isEmpty();
            assertThat(listener.ejections()).hasSize((int) (failingEjections + refusingEjections));
            assertClean(client);
        }
    }

    @Test
    void maxEjectionPercentCapsTheEjectedShareOfTheGroup() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1).maxEjectionPercent(50)
                        .baseEjectionTime(Duration.ofSeconds(5)).maxEjectionTime(Duration.ofSeconds(20)).build())
                .listener(listener)
                .build();
        try (FaultServer good = FaultServer.start(Fault.ok());
             FaultServer bad1 = FaultServer.start(Fault.respond(503));
             FaultServer bad2 = FaultServer.start(Fault.respond(502));
             FaultServer bad3 = FaultServer.start(Fault.resetAfterRequest());
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", good.baseUrl(), bad1.baseUrl(), bad2.baseUrl(),
                             bad3.baseUrl()))
                     .seams(ticker.seams())
                     .build()) {
            long maxGauge = 0;
            for (int i = 0; i < 400; i++) {
                ticker.advance(Duration.ofMillis(500));
                try {
                    get(client, "/x");
                } catch (IOException e) {
                    assertThat(e).isNotInstanceOf(EndpointEjectedException.class);
                }
                final long gauge = client.metrics().get(ResilienceCounter.EJECTIONS_ACTIVE);
                maxGauge = Math.max(maxGauge, gauge);
                assertThat(listener.ejectedNow()).as("after call %d", i).hasSizeLessThanOrEqualTo(2);
                assertThat(gauge).as("ejections_active after call %d", i).isEqualTo(listener.ejectedNow().size());
            }
            assertThat(listener.maxEjectedAtOnce()).as("the cap is reached, never passed").isEqualTo(2);
            assertThat(maxGauge).isEqualTo(2);
            assertThat(listener.ejections(good.baseUrl())).isEmpty();
            assertThat(listener.inconsistencies()).isEmpty();
            // every bad replica was ejected at some point, and ejections took turns
            for (FaultServer bad : List.of(bad1, bad2, bad3)) {
                assertThat(listener.ejections(bad.baseUrl())).as(bad.baseUrl()).isNotEmpty();
            }
            assertThat(listener.restores()).isNotEmpty();
            assertThat(listener.rejections()).isEmpty();
            assertClean(client);
        }
    }

    @Test
    void blueGreenReplicaThatStartsListeningLaterIsRestoredAndGetsTraffic() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(2).retryOn(RetryOn.CONNECT_FAILURE).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).maxEjectionPercent(50)
                        .baseEjectionTime(Duration.ofSeconds(30)).build())
                .listener(listener)
                .build();
        final RefusingPort port = RefusingPort.find();
        final String green = url(port);
        try (FaultServer blue = FaultServer.start(Fault.ok("blue"));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", blue.baseUrl(), green))
                     .seams(ticker.seams())
                     .build()) {
            for (int i = 0; i < 10; i++) {
                assertThat(get(client, "/switch")).isEqualTo(200);
            }
            assertThat(counter(client, green, ResilienceCounter.RQ_TOTAL)).as("attempts on the closed port").isEqualTo(2);
            assertThat(counter(client, green, ResilienceCounter.CX_CONNECT_FAIL)).isEqualTo(2);
            assertThat(listener.ejectedNow()).containsExactly(green);
            final Instant ejectedAt = ticker.wallClock();

            // the green deployment comes up on the port; it stays ejected until its time is up
            try (EjectionServer greenServer = EjectionServer.startOn(port.port(), path -> Reply.status(200))) {
                for (int i = 0; i < 10; i++) {
                    assertThat(get(client, "/switch")).isEqualTo(200);
                }
                assertThat(greenServer.requests()).isEmpty();
                ticker.advance(Duration.ofSeconds(29));
                assertThat(get(client, "/switch")).isEqualTo(200);
                assertThat(greenServer.requests()).isEmpty();

                ticker.advance(Duration.ofSeconds(1));
                final int blueBefore = blue.requestCount();
                for (int i = 0; i < 20; i++) {
                    assertThat(get(client, "/switch")).isEqualTo(200);
                }
                assertThat(greenServer.requests()).as("round robin over both again").hasSize(10);
                assertThat(blue.requestCount() - blueBefore).isEqualTo(10);
                assertThat(greenServer.requests()).allSatisfy(r -> assertThat(r.host()).isEqualTo("orders"));
                assertThat(listener.ejectionEvents()).containsExactly(
                        new EndpointEjectedEvent(green, SERVICE, "consecutive-errors", 2, 1, Duration.ofSeconds(30),
                                FakeTicker.ceilSecond(ejectedAt.plusSeconds(30))),
                        new EndpointRestoredEvent(green, SERVICE, "ejection-ended", Duration.ofSeconds(30)));
                assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
                assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(1);
                assertClean(client);
            }
        }
    }

    @Test
    void whenEveryMemberIsEjectedCallsFailFastWithoutReachingAServerAndAreNotRetried() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                // resets and refused connections are retried; a 503 is not, so each call below is one attempt
                .retry(HttpRetryPolicy.builder().maxRetries(3).retryOn(RetryOn.RESET, RetryOn.CONNECT_FAILURE).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(2).maxEjectionPercent(100).build())
                .listener(listener)
                .build();
        try (FaultServer a = FaultServer.start(Fault.respond(503));
             FaultServer b = FaultServer.start(Fault.respond(503));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", a.baseUrl(), b.baseUrl()))
                     .seams(ticker.seams())
                     .build()) {
            assertThat(get(client, "/x")).isEqualTo(503);
            assertThat(get(client, "/x")).isEqualTo(503);
            assertThat(get(client, "/x")).isEqualTo(503);
            final Instant firstUntil = FakeTicker.ceilSecond(ticker.wallClock().plusSeconds(30));
            ticker.advance(Duration.ofMillis(1500)); // the second ejection ends later
            assertThat(get(client, "/x")).isEqualTo(503);
            final Instant secondUntil = FakeTicker.ceilSecond(ticker.wallClock().plusSeconds(30));
            assertThat(listener.ejectedNow()).containsExactlyInAnyOrder(a.baseUrl(), b.baseUrl());
            final String first = listener.ejections().get(0).endpoint();
            final String second = listener.ejections().get(1).endpoint();
            final String aUntil = (first.equals(a.baseUrl()) ? firstUntil : secondUntil).toString();
            final String bUntil = (first.equals(b.baseUrl()) ? firstUntil : secondUntil).toString();
            assertThat(second).isNotEqualTo(first);

            final int requests = a.requestCount() + b.requestCount();
            final int connections = a.connectionCount() + b.connectionCount();
            final long attempts = client.metrics().get(ResilienceCounter.RQ_TOTAL);
            for (int i = 0; i < 3; i++) {
                final HttpClientContext context = HttpClientContext.create();
                final long t0 = System.nanoTime();
                assertThatThrownBy(() -> client.execute(new HttpGet("http://orders/x?id=1"), context, r -> r.getCode()))
                        .isInstanceOfSatisfying(EndpointEjectedException.class, e -> {
                            assertThat(e.endpoint()).isEqualTo(SERVICE);
                            assertThat(e.ejectedEndpoints()).containsExactly(a.baseUrl(), b.baseUrl());
                            assertThat(e.retryAt()).isEqualTo(firstUntil);
                            assertThat(e.getStackTrace()).isEmpty();
                            assertThat(e.getSuppressed()).isEmpty();
                        })
                        .hasMessage("all 2 members of " + SERVICE + " are ejected: "
                                + a.baseUrl() + " until " + aUntil + " (2 consecutive errors), "
                                + b.baseUrl() + " until " + bUntil + " (2 consecutive errors)");
                assertThat(System.nanoTime() - t0).as("fail fast").isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
                assertThat(SturdyContext.attempts(context)).isZero();
            }
            assertThat(a.requestCount() + b.requestCount()).as("no request reached a server").isEqualTo(requests);
            assertThat(a.connectionCount() + b.connectionCount()).as("nor a connection").isEqualTo(connections);
            assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(attempts);
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).as("not retried").isZero();
            assertThat(listener.retries()).isEmpty();
            assertThat(listener.rejections()).containsExactly(new CircuitRejectedEvent("GET", SERVICE, 1, firstUntil),
                    new CircuitRejectedEvent("GET", SERVICE, 1, firstUntil),
                    new CircuitRejectedEvent("GET", SERVICE, 1, firstUntil));

            // the first member whose time is up takes traffic again
            ticker.advance(Duration.ofSeconds(29));
            assertThat(get(client, "/x")).isEqualTo(503);
            assertThat(listener.restores()).hasSize(1);
            assertThat(listener.restores().get(0).endpoint()).isEqualTo(first);
            assertClean(client);
        }
    }

    @Test
    void aSingleMemberGroupNamesItsMemberWhenEjected() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1).build())
                .build();
        try (FaultServer only = FaultServer.start(Fault.respond(500));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", only.baseUrl()))
                     .seams(ticker.seams())
                     .build()) {
            assertThat(get(client, "/x")).isEqualTo(500);
            assertThatThrownBy(() -> get(client, "/x"))
                    .isInstanceOf(EndpointEjectedException.class)
                    .hasMessage(only.baseUrl() + ", the only member of " + SERVICE + ", is ejected until "
                            + FakeTicker.ceilSecond(WALL.plusSeconds(30)) + " (1 consecutive error)");
            assertThat(only.requestCount()).isEqualTo(1);
            assertClean(client);
        }
    }

    @Test
    void aRetryGoesToAMemberNotYetTriedInTheCall() throws Exception {
        final FakeTicker ticker = new FakeTicker(0, WALL);
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .retry(HttpRetryPolicy.builder().maxRetries(3).build())
                // no ejection in the way: only the choice of member is under test
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1000).build())
                .build();
        try (FaultServer a = FaultServer.start(Fault.respond(503));
             FaultServer b = FaultServer.start(Fault.respond(502));
             FaultServer c = FaultServer.start(Fault.ok());
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.of("http://orders", a.baseUrl(), b.baseUrl(), c.baseUrl()))
                     .seams(ticker.seams())
                     .build()) {
            for (int i = 0; i < 30; i++) {
                final int aBefore = a.requestCount();
                final int bBefore = b.requestCount();
                final int cBefore = c.requestCount();
                final HttpClientContext context = HttpClientContext.create();
                final int status = client.execute(new HttpGet("http://orders/x"), context, r -> r.getCode());
                assertThat(status).isEqualTo(200);
                assertThat(a.requestCount() - aBefore).as("call %d on a", i).isLessThanOrEqualTo(1);
                assertThat(b.requestCount() - bBefore).as("call %d on b", i).isLessThanOrEqualTo(1);
                assertThat(c.requestCount() - cBefore).as("call %d on c", i).isEqualTo(1);
                assertThat(SturdyContext.attempts(context)).isEqualTo(1 + (a.requestCount() - aBefore)
                        + (b.requestCount() - bBefore));
            }
            assertThat(a.requestCount()).as("first attempts are spread round robin").isBetween(5, 25);
            assertClean(client);
        }
    }

    @Test
    void leastOutstandingAvoidsTheMemberWithARequestInFlight() throws Exception {
        final ResiliencePolicy policy = ResiliencePolicy.builder().build();
        try (EjectionServer m1 = EjectionServer.start(p -> p.equals("/slow")
                     ? Reply.status(200).delayedBy(Duration.ofMillis(1500)) : Reply.status(200));
             EjectionServer m2 = EjectionServer.start(p -> p.equals("/slow")
                     ? Reply.status(200).delayedBy(Duration.ofMillis(1500)) : Reply.status(200));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.builder("http://orders").members(m1.baseUrl(), m2.baseUrl())
                             .loadBalancing(EndpointGroup.LoadBalancing.LEAST_OUTSTANDING).build())
                     .build()) {
            final Thread slow = new Thread(() -> {
                try {
                    get(client, "/slow");
                } catch (IOException ignored) {
                    // checked through the servers
                }
            }, "endpoint-group-test-slow");
            slow.start();
            EjectionFixtures.await(() -> m1.count("/slow") + m2.count("/slow") == 1, Duration.ofSeconds(5),
                    () -> "the slow call reached a member");
            final EjectionServer busy = m1.count("/slow") == 1 ? m1 : m2;
            final EjectionServer idle = busy == m1 ? m2 : m1;
            for (int i = 0; i < 6; i++) {
                assertThat(get(client, "/fast")).isEqualTo(200);
            }
            assertThat(busy.countOther("/slow")).as("the busy member got nothing more").isZero();
            assertThat(idle.count("/fast")).isEqualTo(6);
            slow.join(5000);
            assertThat(slow.isAlive()).isFalse();
            assertClean(client);
        }
    }

    @Test
    void oneGroupPerServiceAndOneGroupPerMember() {
        final EndpointGroup one = EndpointGroup.of("http://orders", "http://127.0.0.1:8081");
        assertThatThrownBy(() -> SturdyHttpClients.custom(ResiliencePolicy.recommended())
                .endpointGroup(one)
                .endpointGroup(EndpointGroup.of("http://orders:80", "http://127.0.0.1:8082"))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpointGroup: " + SERVICE + " (expected: one group per service)");
        assertThatThrownBy(() -> SturdyHttpClients.custom(ResiliencePolicy.recommended())
                .endpointGroup(one)
                .endpointGroup(EndpointGroup.of("http://billing", "http://127.0.0.1:8081"))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memberKeys: http://127.0.0.1:8081 (expected: not already a member of " + SERVICE + ")");
    }

    @Test
    void aGroupMemberIsReachedThroughTheClientsProxy() throws Exception {
        try (FaultServer proxy = FaultServer.start(Fault.ok("via proxy"));
             FaultServer member = FaultServer.start(Fault.ok("direct"))) {
            final SturdyHttpClientBuilder builder = SturdyHttpClients.custom(ResiliencePolicy.recommended())
                    .endpointGroup(EndpointGroup.of("http://orders", member.baseUrl()));
            builder.setProxy(proxy.httpHost());
            try (SturdyHttpClient client = builder.build()) {
                assertThat(get(client, "/x")).isEqualTo(200);
                // the route of each attempt is the member's, but everything else about the route (the proxy,
                // a local address) is the client's: replacing only the target keeps the configured egress
                assertThat(member.requestCount()).as("requests that bypassed the proxy").isZero();
                assertThat(proxy.requestCount()).isEqualTo(1);
                assertThat(proxy.requests().get(0).target()).isEqualTo(member.baseUrl() + "/x");
                assertClean(client);
            }
        }
    }
}
