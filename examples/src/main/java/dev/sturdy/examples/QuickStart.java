package dev.sturdy.examples;

import com.sun.net.httpserver.HttpServer;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyContext;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The smallest useful sturdy program: a client with the recommended policy calls a local server
 * whose first two answers are {@code 503}; sturdy retries and the caller sees the {@code 200}.
 *
 * <p>Thread-safety: stateless.
 */
public final class QuickStart {

    private QuickStart() {
    }

    /**
     * Runs the example with {@link ResiliencePolicy#recommended()} against an embedded loopback server.
     *
     * @param args ignored
     * @throws IOException if the local server cannot start
     */
    public static void main(String[] args) throws IOException {
        System.out.println(run(ResiliencePolicy.recommended()));
    }

    /**
     * Calls a local server that answers {@code 503} twice, then {@code 200}, through a sturdy client
     * with the given policy.
     *
     * @param policy the policy; {@link #main(String[])} uses {@link ResiliencePolicy#recommended()}
     * @return what the call returned and how many attempts it took, e.g. {@code 200 hello after 3 attempts}
     * @throws IOException if the local server cannot start or the call fails
     */
    public static String run(ResiliencePolicy policy) throws IOException {
        final AtomicInteger hits = new AtomicInteger();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", exchange -> {
            final boolean overloaded = hits.incrementAndGet() <= 2;
            final byte[] body = (overloaded ? "busy" : "hello").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(overloaded ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try (SturdyHttpClient client = SturdyHttpClients.custom(policy).build()) {
            final HttpClientContext context = HttpClientContext.create();
            final String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hello";
            final String body = client.execute(new HttpGet(url), context,
                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));
            return body + " after " + SturdyContext.attempts(context) + " attempts";
        } finally {
            server.stop(0);
        }
    }
}
