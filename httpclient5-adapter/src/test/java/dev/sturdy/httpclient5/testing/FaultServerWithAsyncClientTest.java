package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fixtures also drive the async client (HTTP/1.1). Its I/O reactor checks timeouts once per
 * select interval (1 s by default), so sub-second timeouts need a short select interval to fire on time.
 */
class FaultServerWithAsyncClientTest {

    /** Only for the tests about timeouts; every other request has a generous one. */
    private static final Timeout TIMEOUT = Timeout.ofMilliseconds(300);
    private static final Timeout GENEROUS = Timeout.ofSeconds(5);

    private FaultServer server;
    private PoolingAsyncClientConnectionManager pool;
    private CloseableHttpAsyncClient client;

    @BeforeEach
    void start() {
        server = FaultServer.start();
        pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(GENEROUS).build())
                .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(TIMEOUT).build())
                .build();
        client = HttpAsyncClients.custom()
                .setConnectionManager(pool)
                .setIOReactorConfig(IOReactorConfig.custom().setSelectInterval(TimeValue.ofMilliseconds(50)).build())
                .disableAutomaticRetries()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(GENEROUS).build())
                .build();
        client.start();
    }

    @AfterEach
    void stop() {
        try {
            PoolAssertions.assertAllReleased(pool);
        } finally {
            client.close(CloseMode.GRACEFUL);
            server.close();
        }
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }

    private SimpleHttpResponse get(URI uri) throws Exception {
        return get(uri, GENEROUS);
    }

    private SimpleHttpResponse get(URI uri, Timeout responseTimeout) throws Exception {
        SimpleHttpRequest request = SimpleRequestBuilder.get(uri)
                .setRequestConfig(RequestConfig.custom().setResponseTimeout(responseTimeout).build())
                .build();
        try {
            return client.execute(request, null).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void readsAScriptedResponse() throws Exception {
        server.enqueue(Fault.respond(503).header("Retry-After", "2").body("busy"));

        SimpleHttpResponse response = get(server.uri("/a"));

        assertThat(response.getCode()).isEqualTo(503);
        assertThat(response.getFirstHeader("Retry-After").getValue()).isEqualTo("2");
        assertThat(response.getBodyText()).isEqualTo("busy");
    }

    @Test
    void closeWithoutResponseFailsWithConnectionClosed() {
        server.enqueue(Fault.closeWithoutResponse());

        assertThatThrownBy(() -> get(server.uri("/a")))
                .isExactlyInstanceOf(ConnectionClosedException.class)
                .hasMessage("Connection closed by peer");
    }

    @Test
    void resetBeforeRequestFailsWithConnectionReset() {
        server.enqueue(Fault.resetBeforeRequest());

        assertThatThrownBy(() -> get(server.uri("/a")))
                .isExactlyInstanceOf(SocketException.class)
                .hasMessage("Connection reset");
    }

    @Test
    void truncatedBodyFailsWithPrematureEnd() {
        server.enqueue(Fault.truncatedBody(100, 10));

        assertThatThrownBy(() -> get(server.uri("/a")))
                .isExactlyInstanceOf(ConnectionClosedException.class)
                .hasMessage("Premature end of Content-Length delimited message body (expected: 100; received: 10)");
    }

    @Test
    void silentServerTripsTheResponseTimeout() {
        server.enqueue(Fault.silent());

        assertThatThrownBy(() -> get(server.uri("/a"), TIMEOUT))
                .isExactlyInstanceOf(SocketTimeoutException.class)
                .hasMessage("300 MILLISECONDS");
    }

    @Test
    void tlsStallFailsWithAPlainSocketTimeout() throws Exception {
        TlsStallServer stall = TlsStallServer.start();
        try (stall) {
            assertThatThrownBy(() -> get(stall.uri("/a")))
                    .isExactlyInstanceOf(SocketTimeoutException.class)
                    .hasMessage("300 MILLISECONDS");
        }
        FixtureThreads.assertNoThreadsLeft(stall.threadNamePrefix());
    }
}
