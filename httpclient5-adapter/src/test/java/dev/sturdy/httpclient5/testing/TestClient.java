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
 * A plain Apache HttpClient 5 classic client for the fixtures' own tests: no automatic retries,
 * short timeouts, its own pool so each test can check the pool is released.
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

    /** 1 s connect and handshake timeouts, 1 s response timeout. */
    static TestClient withResponseTimeout(Duration responseTimeout) {
        return new TestClient(Duration.ofSeconds(1), Duration.ofSeconds(1), responseTimeout);
    }

    PoolingHttpClientConnectionManager pool() {
        return pool;
    }

    Response get(URI uri) throws IOException {
        return execute(new HttpGet(uri));
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
