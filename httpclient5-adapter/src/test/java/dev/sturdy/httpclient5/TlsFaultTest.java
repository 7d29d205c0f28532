package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TcpRetryPolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.faulttable.TestTls;
import dev.sturdy.httpclient5.faulttable.TlsTestServer;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.TlsStallServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.pool.PoolStats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS in the connect phase (SPEC 1, 2.2, 2.5, 3): the handshake is part of {@code connectTimeout}; a
 * handshake that stalls or is reset is a connect failure, retried by TCP connect attempts and, because
 * the request provably never left, by HTTP retries even for POST; a certificate the client does not
 * trust is configuration, never retried.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class TlsFaultTest {

    private static final String ORDER = "{\"order\":42}";
    /** A name the test certificate (CN=localhost, SAN ip:127.0.0.1, dns:localhost) does not cover. */
    private static final String WRONG_HOST = "orders.example";

    /** Loads the TLS stack once, so the first timed test does not pay for it. */
    @BeforeAll
    static void warmUpTls() throws Exception {
        try (TlsTestServer server = TlsTestServer.answering();
             SturdyHttpClient client = client(ResiliencePolicy.none(), TestTls.trustingClassicStrategy())) {
            client.execute(new HttpGet(server.uri("/warm-up")), response -> EntityUtils.toString(response.getEntity()));
        }
    }

    @Test
    void handshakeStallFailsAsAConnectTimeoutAfterEveryConnectAttempt() throws Exception {
        Duration connectTimeout = Duration.ofMillis(300);
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(timeouts(connectTimeout))
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))
                .build(); // no HTTP retries
        TlsStallServer server = TlsStallServer.start();
        try (server; SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();
            long start = System.nanoTime();

            Throwable thrown = catchThrowable(() -> client.execute(new HttpGet(server.uri("/orders")), context,
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(ConnectTimeoutException.class)
                    .hasMessage("Connect to https://127.0.0.1:" + server.port() + " failed: Read timed out");
            assertThat(thrown.getSuppressed()).as("the earlier connect attempts' failures")
                    .hasSize(2).allSatisfy(s -> assertThat(s).isExactlyInstanceOf(ConnectTimeoutException.class));
            // each handshake bounded by connectTimeout, not by the 10 s response timeout (generous upper
            // bound: the first TLS connection of a JVM also pays for loading the TLS stack)
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("three handshakes of %s each", connectTimeout)
                    .isGreaterThanOrEqualTo(connectTimeout.multipliedBy(3))
                    .isLessThan(Duration.ofSeconds(5));
            server.awaitAcceptedCount(3, Duration.ofSeconds(1));
            assertThat(server.acceptedCount()).as("connections accepted").isEqualTo(3);
            assertThat(client.metrics().get(ResilienceCounter.CX_CONNECT_FAIL)).isEqualTo(3);
            assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).as("HTTP attempts").isEqualTo(1);
            assertThat(SturdyContext.attempts(context)).isEqualTo(1);
            assertQuiescent(client);
        }
    }

    @Test
    void connectAttemptsStayInsideTheOverallDeadline() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofMillis(300))
                        .responseTimeout(Duration.ofSeconds(1)).build())
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(10))
                .build();
        TlsStallServer server = TlsStallServer.start();
        try (server; SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            long start = System.nanoTime();

            Throwable thrown = catchThrowable(() -> client.execute(new HttpGet(server.uri("/orders")),
                    response -> EntityUtils.toString(response.getEntity())));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown).isExactlyInstanceOf(DeadlineExceededException.class)
                    .hasMessage("GET https://127.0.0.1:" + server.port() + " exceeded responseTimeout PT1S after 1 attempt");
            // 10 attempts would take 3 s; generous bounds for a loaded machine still tell the two apart
            assertThat(took).as("10 connect attempts of 300 ms cut by the 1 s deadline")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1))
                    .isLessThan(Duration.ofMillis(2_500));
            assertThat(server.acceptedCount()).as("connections accepted before the deadline").isBetween(2, 4);
            assertThat(client.metrics().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(1);
            assertQuiescent(client);
        }
    }

    @Test
    void connectAttemptsRepeatWithinEveryHttpRetryOfAPostThatNeverLeft() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(timeouts(Duration.ofMillis(150)))
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(2))
                .retry(fastRetries(1))
                .build();
        TlsStallServer server = TlsStallServer.start();
        try (server; SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            Throwable thrown = catchThrowable(() -> client.execute(post(server.uri("/orders"), true), context,
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(ConnectTimeoutException.class);
            assertThat(thrown.getSuppressed()).as("every earlier connect attempt's failure").hasSize(3);
            server.awaitAcceptedCount(4, Duration.ofSeconds(1));
            assertThat(server.acceptedCount()).as("2 HTTP attempts x 2 connect attempts").isEqualTo(4);
            assertThat(client.metrics().get(ResilienceCounter.CX_CONNECT_FAIL)).isEqualTo(4);
            assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(2);
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isEqualTo(1);
            assertThat(SturdyContext.attempts(context)).isEqualTo(2);
            assertQuiescent(client);
        }
    }

    @Test
    void postIsRetriedAfterAResetDuringTheHandshakeBecauseItWasNeverSent() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                .retry(fastRetries(2)).build();
        try (TlsTestServer server = TlsTestServer.start(2);
             SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            String body = client.execute(post(server.uri("/orders"), true), context,
                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));

            assertThat(body).isEqualTo("200 ok");
            assertThat(server.faultedFirstBytes()).as("first byte of each reset connection: a TLS handshake record")
                    .containsExactly(0x16, 0x16);
            assertThat(server.acceptedCount()).isEqualTo(3);
            assertThat(server.served()).as("requests the server read: the POST, once")
                    .containsExactly(new TlsTestServer.ServedRequest("POST", "/orders", ORDER));
            assertThat(SturdyContext.attempts(context)).isEqualTo(3);
            assertThat(client.metrics().get(ResilienceCounter.CX_CONNECT_FAIL)).isEqualTo(2);
            assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_SUCCESS)).isEqualTo(1);
            assertQuiescent(client);
        }
    }

    @Test
    void oneShotPostBodyIsSentWholeAfterResetsDuringTheHandshake() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                .retry(fastRetries(2)).build();
        try (TlsTestServer server = TlsTestServer.start(2);
             SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            String body = client.execute(post(server.uri("/orders"), false), context,
                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));

            assertThat(body).isEqualTo("200 ok");
            assertThat(server.served()).as("the stream body, read once, whole")
                    .containsExactly(new TlsTestServer.ServedRequest("POST", "/orders", ORDER));
            assertThat(SturdyContext.attempts(context)).isEqualTo(3);
            assertQuiescent(client);
        }
    }

    @Test
    void connectAttemptsAloneRecoverFromResetsDuringTheHandshake() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))
                .build(); // no HTTP retries
        try (TlsTestServer server = TlsTestServer.start(2);
             SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            String body = client.execute(post(server.uri("/orders"), true), context,
                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));

            assertThat(body).isEqualTo("200 ok");
            assertThat(server.acceptedCount()).isEqualTo(3);
            assertThat(server.served()).hasSize(1);
            assertThat(SturdyContext.attempts(context)).as("HTTP attempts (connect attempts not counted)").isEqualTo(1);
            assertThat(client.metrics().get(ResilienceCounter.CX_CONNECT_FAIL)).isEqualTo(2);
            assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(1);
            assertQuiescent(client);
        }
    }

    @Test
    void resetDuringTheHandshakeSurfacesAsConnectionResetWhenAttemptsRunOut() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(2))
                .build();
        try (TlsTestServer server = TlsTestServer.start(TlsTestServer.ALL);
             SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            Throwable thrown = catchThrowable(() -> client.execute(post(server.uri("/orders"), true),
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(thrown.getSuppressed()).hasSize(1);
            assertThat(server.acceptedCount()).isEqualTo(2);
            assertThat(server.served()).isEmpty();
            assertQuiescent(client);
        }
    }

    @Test
    void postIsRetriedAfterTheServerClosesDuringTheHandshakeBecauseItWasNeverSent() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                .retry(fastRetries(2)).build();
        try (TlsTestServer server = TlsTestServer.start(2, TlsTestServer.HandshakeFault.CLOSE);
             SturdyHttpClient client = client(policy, TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            String body = client.execute(post(server.uri("/orders"), true), context,
                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));

            assertThat(body).isEqualTo("200 ok");
            assertThat(server.faultedFirstBytes()).containsExactly(0x16, 0x16);
            assertThat(server.served()).containsExactly(new TlsTestServer.ServedRequest("POST", "/orders", ORDER));
            assertThat(SturdyContext.attempts(context)).isEqualTo(3);
            assertThat(client.metrics().get(ResilienceCounter.CX_CONNECT_FAIL)).isEqualTo(2);
            assertQuiescent(client);
        }
    }

    @Test
    void untrustedCertificateIsNotRetried() throws Exception {
        try (TlsTestServer server = TlsTestServer.answering();
             SturdyHttpClient client = client(notRetriedPolicy(), TestTls.defaultTrustClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            Throwable thrown = catchThrowable(() -> client.execute(new HttpGet(server.uri("/orders")), context,
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(SSLHandshakeException.class)
                    .hasMessageStartingWith("PKIX path building failed: ");
            assertNotRetried(server, client, context, thrown);
            assertThat(server.awaitHandshakeFailures(1, 1_000)).as("handshakes the server saw fail").isEqualTo(1);
        }
    }

    @Test
    void hostnameMismatchFoundByTheJdkIsNotRetried() throws Exception {
        try (TlsTestServer server = TlsTestServer.answering();
             SturdyHttpClient client = clientResolvingEveryNameToLoopback(notRetriedPolicy(),
                     TestTls.trustingClassicStrategy())) {
            HttpClientContext context = HttpClientContext.create();

            Throwable thrown = catchThrowable(() -> client.execute(
                    new HttpGet("https://" + WRONG_HOST + ":" + server.port() + "/orders"), context,
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(SSLHandshakeException.class)
                    .hasMessage("No subject alternative DNS name matching " + WRONG_HOST + " found.");
            assertNotRetried(server, client, context, thrown);
        }
    }

    /**
     * With HttpClient's own hostname verification (HostnameVerificationPolicy.CLIENT, a custom or the
     * default HostnameVerifier), a certificate for another host fails with SSLPeerUnverifiedException,
     * which has no cause.
     */
    @Test
    void hostnameMismatchFoundByHttpClientIsNotRetried() throws Exception {
        TlsSocketStrategy clientVerifies = ClientTlsStrategyBuilder.create()
                .setSslContext(TestTls.trustingClientContext())
                .setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                .setHostnameVerifier(new DefaultHostnameVerifier())
                .buildClassic();
        try (TlsTestServer server = TlsTestServer.answering();
             SturdyHttpClient client = clientResolvingEveryNameToLoopback(notRetriedPolicy(), clientVerifies)) {
            HttpClientContext context = HttpClientContext.create();

            Throwable thrown = catchThrowable(() -> client.execute(
                    new HttpGet("https://" + WRONG_HOST + ":" + server.port() + "/orders"), context,
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(SSLPeerUnverifiedException.class)
                    .hasMessage("Certificate for <" + WRONG_HOST + "> doesn't match any of the subject "
                            + "alternative names: [localhost]");
            assertNotRetried(server, client, context, thrown);
        }
    }

    /** The server speaks only TLS 1.3, the client only TLS 1.2: configuration, not transience. */
    @Test
    void tlsVersionMismatchIsNotRetried() throws Exception {
        TlsSocketStrategy tls12Only = ClientTlsStrategyBuilder.create()
                .setSslContext(TestTls.trustingClientContext())
                .setTlsVersions(TLS.V_1_2)
                .buildClassic();
        try (TlsTestServer server = TlsTestServer.answeringOnly("TLSv1.3");
             SturdyHttpClient client = client(notRetriedPolicy(), tls12Only)) {
            HttpClientContext context = HttpClientContext.create();

            Throwable thrown = catchThrowable(() -> client.execute(new HttpGet(server.uri("/orders")), context,
                    response -> EntityUtils.toString(response.getEntity())));

            assertThat(thrown).isExactlyInstanceOf(SSLHandshakeException.class)
                    .hasMessage("Received fatal alert: protocol_version");
            assertNotRetried(server, client, context, thrown);
        }
    }

    @Test
    void trustedCertificateIsAnsweredOverTls() throws Exception {
        try (TlsTestServer server = TlsTestServer.answering();
             SturdyHttpClient client = client(ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                     .retry(fastRetries(2)).build(), TestTls.trustingClassicStrategy())) {
            String body = client.execute(new HttpGet(server.uri("/orders")),
                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));

            assertThat(body).isEqualTo("200 ok");
            assertThat(server.acceptedCount()).isEqualTo(1);
            assertThat(server.handshakeFailures()).isZero();
            assertQuiescent(client);
        }
    }

    /**
     * What "not retried" means for a TLS configuration failure: one connection, one HTTP attempt, no
     * connect failure counted, nothing served, nothing leaked.
     */
    private static void assertNotRetried(TlsTestServer server, SturdyHttpClient client, HttpClientContext context,
                                         Throwable thrown) throws InterruptedException {
        // exact without waiting: the server accepts every connection before its side of the handshake,
        // which each of these failures needs, and retries happen before the call returns
        assertThat(server.acceptedCount()).as("connections: one, no connect attempt or HTTP retry").isEqualTo(1);
        assertThat(thrown.getSuppressed()).as("earlier failures").isEmpty();
        assertThat(server.served()).isEmpty();
        assertThat(SturdyContext.attempts(context)).isEqualTo(1);
        assertThat(client.metrics().get(ResilienceCounter.CX_CONNECT_FAIL)).as("cx_connect_fail: not a connect failure")
                .isZero();
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isZero();
        assertQuiescent(client);
    }

    /** 3 connect attempts and 2 HTTP retries on {@code 5xx}: a failure that is retried shows at once. */
    private static ResiliencePolicy notRetriedPolicy() {
        return ResiliencePolicy.builder().timeouts(timeouts(Duration.ofSeconds(2)))
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))
                .retry(fastRetries(2))
                .build();
    }

    /** A client whose DNS resolves every name to 127.0.0.1, so a name the certificate lacks can be used. */
    private static SturdyHttpClient clientResolvingEveryNameToLoopback(ResiliencePolicy policy, TlsSocketStrategy tls) {
        DnsResolver loopback = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        return SturdyHttpClients.custom(policy)
                .seams(Seams.SYSTEM.withSleeper(nanos -> { }))
                .connectionManager(pool -> pool.setTlsSocketStrategy(tls).setDnsResolver(loopback))
                .build();
    }

    private static TimeoutPolicy timeouts(Duration connectTimeout) {
        return TimeoutPolicy.builder().connectTimeout(connectTimeout).responseTimeout(Duration.ofSeconds(10)).build();
    }

    /** {@code retryOn 5xx} with near-zero backoff (and the sleeper is a no-op anyway). */
    private static HttpRetryPolicy fastRetries(int maxRetries) {
        return HttpRetryPolicy.builder().retryOn(RetryOn.FIVE_XX).maxRetries(maxRetries)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build();
    }

    private static SturdyHttpClient client(ResiliencePolicy policy, TlsSocketStrategy tls) {
        return SturdyHttpClients.custom(policy)
                .seams(Seams.SYSTEM.withSleeper(nanos -> { }))
                .connectionManager(pool -> pool.setTlsSocketStrategy(tls))
                .build();
    }

    private static ClassicHttpRequest post(URI uri, boolean repeatableBody) {
        HttpPost post = new HttpPost(uri);
        byte[] bytes = ORDER.getBytes(StandardCharsets.UTF_8);
        post.setEntity(repeatableBody
                ? new StringEntity(ORDER, ContentType.APPLICATION_JSON)
                : new InputStreamEntity(new ByteArrayInputStream(bytes), bytes.length, ContentType.APPLICATION_JSON));
        return post;
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
