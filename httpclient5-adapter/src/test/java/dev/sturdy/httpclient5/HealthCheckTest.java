package dev.sturdy.httpclient5;

import static dev.sturdy.httpclient5.EjectionFixtures.assertClean;
import static dev.sturdy.httpclient5.EjectionFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.EndpointGroup;
import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.EjectionServer.Reply;
import dev.sturdy.httpclient5.faulttable.TestTls;
import dev.sturdy.httpclient5.faulttable.TlsTestServer;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.LogCapture;
import dev.sturdy.httpclient5.testing.LogEvent;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

/**
 * SPEC 6 at the classic adapter: active health checks of the members of an endpoint group. Probes
 * run in real time (a short interval), on the client's {@code sturdy-probe-N} threads, so these tests
 * poll with a bound instead of advancing a fake clock.
 */
class HealthCheckTest {

    private static final String SERVICE = "http://orders:80";
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final Seams NO_SLEEP = Seams.SYSTEM.withSleeper(n -> { });

    /** A replica whose API works while its health path says 404. */
    private static Reply healthSays404(String path) {
        return path.equals("/health") ? Reply.status(404) : Reply.status(200);
    }

    private static HealthCheckPolicy.Builder fastChecks() {
        // short, but a healthy probe on a loaded machine must not time out twice in a row
        return HealthCheckPolicy.builder().interval(Duration.ofMillis(250)).timeout(Duration.ofMillis(250))
                .unhealthyThreshold(2).healthyThreshold(1);
    }

    private static ResiliencePolicy policy(EjectionListener listener) {
        return ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().maxEjectionPercent(50).build())
                .listener(listener)
                .build();
    }

    private static int get(SturdyHttpClient client, String path) throws IOException {
        return client.execute(new HttpGet(URI.create("http://orders" + path)), r -> r.getCode());
    }

    /** The threads alive before the test: a probe or scheduler thread of another test's client is not this test's. */
    private Set<String> threadsAtStart;

    @BeforeEach
    void noteTheThreadsAlready() {
        threadsAtStart = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toSet());
    }

    /** @return the live probe ({@code sturdy-probe-N}) and scheduler ({@code sturdy-endpoints-N}) threads this test started */
    private List<String> healthThreads() {
        return Stream.concat(EjectionFixtures.liveThreads("sturdy-probe-").stream(),
                        EjectionFixtures.liveThreads("sturdy-endpoints-").stream())
                .filter(name -> !threadsAtStart.contains(name))
                .collect(Collectors.toList());
    }

    @AfterEach
    void noProbeThreadOutlivesItsClient() throws InterruptedException {
        await(() -> healthThreads().isEmpty(), Duration.ofSeconds(2),
                () -> "probe and scheduler threads still alive: " + healthThreads());
    }

    @Test
    void aFailingHealthPathEjectsAMemberWhoseApiWorksAndAPassingProbeRestoresIt() throws Exception {
        final EjectionListener listener = new EjectionListener();
        final Set<String> threadsBefore = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .collect(Collectors.toSet());
        final HealthCheckPolicy checks = fastChecks().path("/health").build(); // expects 200-399, the default
        try (LogCapture logs = LogCapture.start();
             EjectionServer good = EjectionServer.start(path -> Reply.status(200));
             EjectionServer x = EjectionServer.start(HealthCheckTest::healthSays404)) {
            final SturdyHttpClient client = SturdyHttpClients.custom(policy(listener))
                    .endpointGroup(EndpointGroup.builder("http://orders").members(good.baseUrl(), x.baseUrl())
                            .healthCheck(checks).build())
                    .seams(NO_SLEEP)
                    .build();
            try {
                assertThat(get(client, "/api/orders")).isEqualTo(200); // members start admitted
                await(() -> !listener.ejections(x.baseUrl()).isEmpty(), PATIENCE,
                        () -> "the probe ejects " + x.baseUrl() + "; events " + listener.events());
                final EndpointEjectedEvent ejected = listener.ejections(x.baseUrl()).get(0);
                assertThat(ejected.group()).isEqualTo(SERVICE);
                assertThat(ejected.reason()).isEqualTo(EndpointEjectedEvent.HEALTH_CHECK);
                assertThat(ejected.errors()).isEqualTo(2);
                assertThat(ejected.duration()).as("until the next probe").isPositive()
                        .isLessThanOrEqualTo(checks.interval());
                assertThat(listener.ejections(good.baseUrl())).isEmpty();
                assertThat(x.count("/health")).isGreaterThanOrEqualTo(2);
                assertThat(good.count("/health")).isGreaterThanOrEqualTo(1);

                // the API of x works, but the probe said no: no traffic
                final int xApi = x.countOther("/health");
                for (int i = 0; i < 20; i++) {
                    assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
                }
                assertThat(x.countOther("/health")).as("API requests to the health-ejected member").isEqualTo(xApi);
                assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
                assertThat(client.metrics().get(x.baseUrl(), ResilienceCounter.EJECTIONS_ACTIVE)).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_TOTAL)).isEqualTo(1);

                // the health path is fixed: the next passing probe restores it
                x.route(path -> Reply.status(200));
                await(() -> !listener.restores().isEmpty(), PATIENCE, () -> "a passing probe restores " + x.baseUrl());
                final EndpointRestoredEvent restored = listener.restores().get(0);
                assertThat(restored.endpoint()).isEqualTo(x.baseUrl());
                assertThat(restored.group()).isEqualTo(SERVICE);
                assertThat(restored.reason()).isEqualTo(EndpointRestoredEvent.HEALTH_CHECK_PASSED);
                final int xApiBefore = x.countOther("/health");
                for (int i = 0; i < 20; i++) {
                    assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
                }
                assertThat(x.countOther("/health") - xApiBefore).as("traffic again").isBetween(5, 15);
                assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
                assertThat(listener.inconsistencies()).isEmpty();
                assertClean(client);
            } finally {
                client.close();
            }

            // probes stop with the client
            await(() -> healthThreads().isEmpty(), Duration.ofSeconds(2),
                    () -> "health threads after close: " + healthThreads());
            final int probes = x.count("/health") + good.count("/health");
            Thread.sleep(3 * checks.interval().toMillis());
            assertThat(x.count("/health") + good.count("/health")).as("probes after close").isEqualTo(probes);
            final List<String> leftover = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                final String name = t.getName();
                if (t.isAlive() && !threadsBefore.contains(name) && (name.startsWith("sturdy-")
                        || name.startsWith("httpclient-"))) {
                    leftover.add(name);
                }
            }
            assertThat(leftover).as("threads the client started and left running").isEmpty();

            // INFO for the ejection and the restore, never ERROR, never a path of a call
            logs.close();
            final List<String> info = logs.events("dev.sturdy", Level.INFO).stream().map(LogEvent::message)
                    .collect(Collectors.toList());
            assertThat(info).anySatisfy(m -> assertThat(m).startsWith("ejected " + x.baseUrl() + " of " + SERVICE
                    + " until a health check passes (2 failed health checks); next probe at "));
            assertThat(info).anySatisfy(m -> assertThat(m).startsWith("restored " + x.baseUrl() + " of " + SERVICE
                    + " after ").endsWith(" (health-check-passed)"));
            assertThat(info).allSatisfy(m -> assertThat(m).doesNotContain("/api"));
            assertThat(logs.events("dev.sturdy", Level.ERROR)).isEmpty();
        }
    }

    static Stream<Arguments> probesThatAgreeWithTheReplica() {
        return Stream.of(
                Arguments.of("path /api/ping answers 200", fastChecks().path("/api/ping").build(), "/api/ping"),
                Arguments.of("404 expected on /health", fastChecks().path("/health").expectedStatuses(200, 404).build(),
                        "/health"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probesThatAgreeWithTheReplica")
    void withTheProbeSetRightTheMemberStaysIn(String name, HealthCheckPolicy checks, String probePath) throws Exception {
        final EjectionListener listener = new EjectionListener();
        try (EjectionServer good = EjectionServer.start(path -> Reply.status(200));
             EjectionServer x = EjectionServer.start(HealthCheckTest::healthSays404);
             SturdyHttpClient client = SturdyHttpClients.custom(policy(listener))
                     .endpointGroup(EndpointGroup.builder("http://orders").members(good.baseUrl(), x.baseUrl())
                             .healthCheck(checks).build())
                     .seams(NO_SLEEP)
                     .build()) {
            // several rounds, more than unhealthyThreshold
            await(() -> x.count(probePath) >= 4 && good.count(probePath) >= 4, PATIENCE,
                    () -> "probes of both members on " + probePath);
            assertThat(listener.ejections()).isEmpty();
            final int xApi = x.countOther(probePath);
            for (int i = 0; i < 20; i++) {
                assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
            }
            assertThat(x.countOther(probePath) - xApi).as("x keeps its share").isBetween(5, 15);
            assertThat(listener.ejections()).isEmpty();
            assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_TOTAL)).isZero();
            assertClean(client);
        }
    }

    @Test
    void aHangingProbeNeverBlocksCallersAndIsEndedByItsTimeout() throws Exception {
        final EjectionListener listener = new EjectionListener();
        final HealthCheckPolicy checks = HealthCheckPolicy.builder().path("/health")
                .interval(Duration.ofMillis(1200)).timeout(Duration.ofSeconds(1))
                .unhealthyThreshold(2).healthyThreshold(1).build();
        try (EjectionServer good = EjectionServer.start(path -> Reply.status(200));
             EjectionServer x = EjectionServer.start(path -> path.equals("/health") ? Reply.silence() : Reply.status(200))) {
            // the first calls in a JVM load and initialise the client's classes, which on a loaded machine can
            // take longer than the bound below: warm up with a client of its own, before any probe can hang
            try (SturdyHttpClient warm = SturdyHttpClients.custom(ResiliencePolicy.none()).build()) {
                for (EjectionServer member : List.of(good, x)) {
                    final int status = warm.execute(new HttpGet(URI.create(member.baseUrl() + "/warm")), r -> r.getCode());
                    assertThat(status).isEqualTo(200);
                }
            }
            final SturdyHttpClient client = SturdyHttpClients.custom(policy(listener))
                    .endpointGroup(EndpointGroup.builder("http://orders").members(good.baseUrl(), x.baseUrl())
                            .healthCheck(checks).build())
                    .seams(NO_SLEEP)
                    .build();
            try {
                await(() -> x.count("/health") == 1, PATIENCE, () -> "the first probe of x hangs");
                final long probeSeen = System.nanoTime();
                final int xWarm = x.countOther("/health");
                long slowest = 0;
                for (int i = 0; i < 20; i++) {
                    final long t0 = System.nanoTime();
                    assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
                    slowest = Math.max(slowest, System.nanoTime() - t0);
                }
                final long batch = System.nanoTime() - probeSeen;
                // a call held up by the probe would wait for its 1 s timeout (the first call starts within a
                // few tens of ms of the probe)
                assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("slowest call while a probe hangs, ms")
                        .isLessThan(800);
                assertThat(x.countOther("/health") - xWarm).as("x still takes its share meanwhile").isBetween(5, 15);
                System.out.println("HealthCheckTest: 20 calls in " + TimeUnit.NANOSECONDS.toMillis(batch)
                        + " ms while a probe hung");

                // two timed-out probes eject x
                await(() -> !listener.ejections(x.baseUrl()).isEmpty(), PATIENCE, () -> "x ejected after two timeouts");
                assertThat(listener.ejections(x.baseUrl()).get(0).reason()).isEqualTo(EndpointEjectedEvent.HEALTH_CHECK);
                final int xApi = x.countOther("/health");
                for (int i = 0; i < 10; i++) {
                    assertThat(get(client, "/api/orders/" + i)).isEqualTo(200);
                }
                assertThat(x.countOther("/health")).isEqualTo(xApi);
                assertClean(client);
            } finally {
                client.close(); // with a probe hanging, most likely
            }
            await(() -> healthThreads().isEmpty(), Duration.ofSeconds(2),
                    () -> "health threads after close: " + healthThreads());
        }
    }

    @Test
    void maxEjectionPercentAlsoCapsHealthCheckEjections() throws Exception {
        final EjectionListener listener = new EjectionListener();
        try (EjectionServer a = EjectionServer.start(HealthCheckTest::healthSays404);
             EjectionServer b = EjectionServer.start(HealthCheckTest::healthSays404);
             SturdyHttpClient client = SturdyHttpClients.custom(policy(listener)) // 50 % of 2: one member
                     .endpointGroup(EndpointGroup.builder("http://orders").members(a.baseUrl(), b.baseUrl())
                             .healthCheck(fastChecks().build()).build())
                     .seams(NO_SLEEP)
                     .build()) {
            await(() -> listener.ejections().size() == 1 && a.count("/health") >= 5 && b.count("/health") >= 5,
                    PATIENCE, () -> "one ejection and several rounds; events " + listener.events());
            assertThat(listener.ejections()).hasSize(1);
            assertThat(listener.maxEjectedAtOnce()).isEqualTo(1);
            for (int i = 0; i < 10; i++) {
                assertThat(get(client, "/api/orders/" + i)).as("the member left in serves").isEqualTo(200);
            }
            assertClean(client);
        }
    }

    @Test
    void aGroupWhoseOnlyMemberFailsItsProbeFailsFastUntilAProbePasses() throws Exception {
        final EjectionListener listener = new EjectionListener();
        try (EjectionServer only = EjectionServer.start(HealthCheckTest::healthSays404);
             SturdyHttpClient client = SturdyHttpClients.custom(policy(listener))
                     .endpointGroup(EndpointGroup.builder("http://orders").members(only.baseUrl())
                             .healthCheck(fastChecks().build()).build())
                     .seams(NO_SLEEP)
                     .build()) {
            await(() -> !listener.ejections().isEmpty(), PATIENCE, () -> "the only member is ejected by its probe");
            final int api = only.countOther("/health");
            assertThatThrownBy(() -> get(client, "/api/orders?id=7"))
                    .isInstanceOfSatisfying(EndpointEjectedException.class, e -> {
                        assertThat(e.endpoint()).isEqualTo(SERVICE);
                        assertThat(e.ejectedEndpoints()).containsExactly(only.baseUrl());
                    })
                    .hasMessageMatching(Pattern.quote(only.baseUrl() + ", the only member of " + SERVICE
                            + ", is ejected until a health check passes, next at ")
                            + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(\\d+ failed health checks\\)");
            assertThat(only.countOther("/health")).isEqualTo(api);
            assertThat(listener.rejections()).hasSize(1);

            only.route(path -> Reply.status(200));
            await(() -> !listener.restores().isEmpty(), PATIENCE, () -> "restored by a passing probe");
            assertThat(get(client, "/api/orders?id=7")).isEqualTo(200);
            assertClean(client);
        }
    }

    @Test
    void aPassingProbeEndsAnErrorEjectionEarly() throws Exception {
        final EjectionListener listener = new EjectionListener();
        final ResiliencePolicy policy = ResiliencePolicy.builder()
                .circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1).maxEjectionPercent(50)
                        .baseEjectionTime(Duration.ofSeconds(60)).maxEjectionTime(Duration.ofSeconds(60)).build())
                .listener(listener)
                .build();
        try (EjectionServer good = EjectionServer.start(path -> Reply.status(200));
             EjectionServer x = EjectionServer.start(path -> path.equals("/api/broken") ? Reply.status(503)
                     : Reply.status(200));
             SturdyHttpClient client = SturdyHttpClients.custom(policy)
                     .endpointGroup(EndpointGroup.builder("http://orders").members(good.baseUrl(), x.baseUrl())
                             .healthCheck(fastChecks().build()).build())
                     .seams(NO_SLEEP)
                     .build()) {
            while (x.count("/api/broken") == 0) {
                get(client, "/api/broken");
            }
            assertThat(listener.ejections(x.baseUrl())).hasSize(1);
            assertThat(listener.ejections(x.baseUrl()).get(0).reason()).isEqualTo(EndpointEjectedEvent.CONSECUTIVE_ERRORS);
            // Envoy's default: a passing active health check ends an ejection on errors, long before its 60 s
            await(() -> !listener.restores().isEmpty(), PATIENCE, () -> "restored by a passing probe");
            assertThat(listener.restores().get(0).endpoint()).isEqualTo(x.baseUrl());
            assertThat(listener.restores().get(0).reason()).isEqualTo(EndpointRestoredEvent.HEALTH_CHECK_PASSED);
            assertThat(client.metrics().get(ResilienceCounter.EJECTIONS_ACTIVE)).isZero();
            assertClean(client);
        }
    }

    @Test
    void probesOfHttpsMembersUseTheClientsTlsConfiguration() throws Exception {
        final EjectionListener listener = new EjectionListener();
        try (TlsTestServer member = TlsTestServer.answering();
             SturdyHttpClient client = SturdyHttpClients.custom(policy(listener))
                     // the member's certificate is trusted only through the client's own TLS strategy
                     .connectionManager(pool -> pool.setTlsSocketStrategy(TestTls.trustingClassicStrategy()))
                     // TLS names the service (the certificate's localhost), not the member's address
                     .endpointGroup(EndpointGroup.builder("https://localhost")
                             .members("https://127.0.0.1:" + member.port())
                             // a TLS handshake of a fresh client may take a while: time enough for it
                             .healthCheck(fastChecks().interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(1))
                                     .build()).build())
                     .seams(NO_SLEEP)
                     .build()) {
            await(() -> member.served().stream().filter(r -> r.target().equals("/health")).count() >= 3
                            || member.handshakeFailures() >= 2 || !listener.ejections().isEmpty(), PATIENCE,
                    () -> "three probes, or three failed handshakes, or an ejection");
            assertThat(listener.ejections()).as("a member the client itself can reach (failed handshakes %d, served %s)",
                    member.handshakeFailures(), member.served()).isEmpty();
            assertThat(member.handshakeFailures()).as("probe handshakes that failed").isZero();
            final int status = client.execute(new HttpGet("https://localhost/api/orders"), r -> r.getCode());
            assertThat(status).isEqualTo(200);
            assertClean(client);
        }
    }
}
