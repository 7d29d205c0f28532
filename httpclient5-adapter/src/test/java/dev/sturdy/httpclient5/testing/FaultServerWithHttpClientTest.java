package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each fault as Apache HttpClient 5 classic (no automatic retries) sees it: the exception type and
 * message the adapter will classify, and a pool with nothing leased afterwards.
 */
class FaultServerWithHttpClientTest {

    /** Only for the tests about timeouts; every other request has a generous one. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(2);

    private FaultServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        server = FaultServer.start();
        client = TestClient.create();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            PoolAssertions.assertAllReleased(client.pool());
        } finally {
            client.close();
            server.close();
        }
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }

    @Test
    void serviceUnavailableCarriesRetryAfter() throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", "1").body("busy"));

        TestClient.Response response = client.get(server.uri("/a"));

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("1");
        assertThat(response.body()).isEqualTo("busy");
    }

    @Test
    void okCanCarryTheRetriableHeader() throws Exception {
        server.enqueue(Fault.respond(200).header("x-ms-retriable", "true"));

        TestClient.Response response = client.get(server.uri("/a"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-ms-retriable")).isEqualTo("true");
    }

    @ParameterizedTest
    @ValueSource(ints = {409, 429, 500, 502, 504})
    void respondsWithTheScriptedStatus(int status) throws Exception {
        server.enqueue(Fault.respond(status).body("s" + status));

        TestClient.Response response = client.get(server.uri("/s"));

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.body()).isEqualTo("s" + status);
    }

    @Test
    void keptAliveConnectionsAreReusedAndRecordedAsSuch() throws Exception {
        client.get(server.uri("/1"));
        client.get(server.uri("/2"));

        assertThat(server.awaitRequestCount(2, WAIT)).extracting(RecordedRequest::connectionId).containsExactly(1, 1);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void recordsThePostBodyHttpClientSent() throws Exception {
        HttpPost post = new HttpPost(server.uri("/orders"));
        post.setEntity(new StringEntity("{\"id\":1}", ContentType.APPLICATION_JSON));
        post.addHeader("Authorization", "Bearer secret-token");

        client.execute(post);

        RecordedRequest recorded = server.awaitRequestCount(1, WAIT).get(0);
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.body()).isEqualTo("{\"id\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(recorded.header("authorization")).contains("Bearer secret-token");
        assertThat(recorded.toString()).doesNotContain("secret-token");
        assertThat(server.requestCount("POST")).isEqualTo(1);
    }

    @Test
    void resetOnAcceptFailsTheClientWithARawSocketException() {
        server.enqueue(Fault.resetOnAccept());

        // connect (usually), write or read: see Fault.resetOnAccept()
        assertThatThrownBy(() -> client.get(server.uri("/a")))
                .isExactlyInstanceOf(SocketException.class)
                .hasMessageStartingWith("Connection reset");
        assertThat(server.resetBeforeRequestCount()).isEqualTo(1);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void resetBeforeRequestFailsTheResponseReadWithConnectionReset() throws Exception {
        server.enqueue(Fault.resetBeforeRequest());

        assertThatThrownBy(() -> client.get(server.uri("/a")))
                .isExactlyInstanceOf(SocketException.class)
                .hasMessage("Connection reset");
        assertThat(server.requestCount()).isZero();
        assertThat(client.get(server.uri("/b")).status()).isEqualTo(200);
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void resetAfterRequestFailsWithConnectionResetAfterTheServerReadIt() {
        server.enqueue(Fault.resetAfterRequest());

        assertThatThrownBy(() -> client.get(server.uri("/a")))
                .isExactlyInstanceOf(SocketException.class)
                .hasMessage("Connection reset");
        assertThat(server.requests()).extracting(RecordedRequest::target).containsExactly("/a");
    }

    @Test
    void closeWithoutResponseFailsWithNoHttpResponse() {
        server.enqueue(Fault.closeWithoutResponse());

        assertThatThrownBy(() -> client.get(server.uri("/a")))
                .isExactlyInstanceOf(NoHttpResponseException.class)
                .hasMessage("The target server failed to respond");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void truncatedBodyFailsTheBodyReadWithPrematureEnd() {
        server.enqueue(Fault.truncatedBody(100, 10));

        assertThatThrownBy(() -> client.get(server.uri("/a")))
                .isExactlyInstanceOf(ConnectionClosedException.class)
                .hasMessage("Premature end of Content-Length delimited message body (expected: 100; received: 10)");
    }

    @Test
    void silentServerTripsTheResponseTimeout() {
        server.enqueue(Fault.silent());
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.get(server.uri("/a"), RESPONSE_TIMEOUT))
                .isExactlyInstanceOf(SocketTimeoutException.class)
                .hasMessage("Read timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(RESPONSE_TIMEOUT);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void slowDripNeverTripsAResponseTimeoutLongerThanItsInterval() throws Exception {
        Fault.SlowDrip drip = Fault.slowDrip("0123456789abcde", Duration.ofMillis(40));
        assertThat(drip.minimumDuration()).isEqualTo(RESPONSE_TIMEOUT.multipliedBy(2));
        server.enqueue(drip);
        long start = System.nanoTime();

        TestClient.Response response = client.get(server.uri("/a"), RESPONSE_TIMEOUT);

        assertThat(response.body()).isEqualTo("0123456789abcde");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(drip.minimumDuration());
    }

    @Test
    void slowDripTripsAResponseTimeoutShorterThanItsInterval() {
        server.enqueue(Fault.slowDrip("abc", RESPONSE_TIMEOUT.multipliedBy(3)));

        assertThatThrownBy(() -> client.get(server.uri("/a"), RESPONSE_TIMEOUT))
                .isExactlyInstanceOf(SocketTimeoutException.class)
                .hasMessage("Read timed out");
    }

    @Test
    void delayedResponseArrivesAfterTheDelay() throws Exception {
        server.enqueue(Fault.ok("late").delayedBy(Duration.ofMillis(200)));
        long start = System.nanoTime();

        assertThat(client.get(server.uri("/a")).body()).isEqualTo("late");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void delayLongerThanTheResponseTimeoutTripsIt() {
        server.enqueue(Fault.ok().delayedBy(RESPONSE_TIMEOUT.multipliedBy(3)));

        assertThatThrownBy(() -> client.get(server.uri("/a"), RESPONSE_TIMEOUT))
                .isExactlyInstanceOf(SocketTimeoutException.class)
                .hasMessage("Read timed out");
    }
}
