package dev.sturdy.httpclient5.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * A plain Apache HttpClient 5 classic client for the fixtures' own tests: no automatic retries, its
 * own pool so each test can check the pool is released. Timeouts are generous unless a test is about
 * a timeout, so a loaded CI machine cannot turn a slow server thread into a spurious timeout.
 */
final class TestClient implements AutoCloseable {

    /** A response read completely. */
    record Response(int status, Header[] headers, String body) {

        String header(String name) {
            for (Header header : headers) {
                if (header.getName().equalsIgnoreCase(name)) {
                    return header.getValue();
                }
            }
            return null;
        }
    }

    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;

    TestClient(Duration connectTimeout, Duration tlsHandshakeTimeout, Duration responseTimeout) {
        pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(responseTimeout))
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(Timeout.of(tlsHandshakeTimeout)).build())
                .build();
        client = HttpClients.custom()
                .setConnectionManager(pool)
                .disableAutomaticRetries()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(responseTimeout))
                        .setConnectionRequestTimeout(Timeout.ofSeconds(2))
                        .build())
                .build();
    }

    static final Duration GENEROUS = Duration.ofSeconds(5);

    /** Generous (5 s) connect, handshake and response timeouts. */
    static TestClient create() {
        return new TestClient(GENEROUS, GENEROUS, GENEROUS);
    }

    PoolingHttpClientConnectionManager pool() {
        return pool;
    }

    Response get(URI uri) throws IOException {
        return execute(new HttpGet(uri));
    }

    /** A GET whose response timeout (a socket read timeout) is {@code responseTimeout}. */
    Response get(URI uri, Duration responseTimeout) throws IOException {
        HttpGet get = new HttpGet(uri);
        get.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout)).build());
        return execute(get);
    }

    Response execute(ClassicHttpRequest request) throws IOException {
        return client.execute(request, response -> new Response(response.getCode(), response.getHeaders(),
                response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity())));
    }

    /** Sends a GET and returns the open response: its connection stays leased until it is closed. */
    ClassicHttpResponse open(URI uri) throws IOException {
        return client.executeOpen(null, new HttpGet(uri), null);
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
