package dev.sturdy.examples;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.RetryOn;
import dev.sturdy.TcpRetryPolicy;
import dev.sturdy.httpclient5.SturdyContext;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * One base policy, tuned per downstream with {@code toBuilder()}: policies are immutable values, so a
 * variant is a copy with a few fields changed and the base stays as it was.
 *
 * <ul>
 *   <li><b>payments</b>: a short deadline (a person waits at checkout), few retries, only on gateway
 *       errors, and never a resent POST that may have been processed;</li>
 *   <li><b>search</b>: reads are cheap and idempotent: aggressive retries with a per-try timeout, so a
 *       slow replica costs one short attempt, and a larger retry budget;</li>
 *   <li><b>batch</b>: a long deadline, patient backoff, more connect attempts and a small pool.</li>
 * </ul>
 *
 * <p>Run it with {@code ./mvnw -q -pl examples -am compile exec:java -Dexec.mainClass=dev.sturdy.examples.ProgrammaticTuning}.
 *
 * <p>Thread-safety: stateless; the policies it returns are immutable.
 */
public final class ProgrammaticTuning {

    private ProgrammaticTuning() {
    }

    /**
     * The base every variant starts from: Azure's {@code --recommended} values.
     *
     * @return {@link ResiliencePolicy#recommended()}
     */
    public static ResiliencePolicy base() {
        return ResiliencePolicy.recommended();
    }

    /**
     * A payments API: 2 s deadline and 800 ms per try, 2 retries on gateway errors (502, 503, 504, no
     * response), POST never resent once it may have reached the server (a POST that provably never left,
     * such as a refused connection, is still retried).
     *
     * @param base the policy to start from
     * @return the variant
     */
    public static ResiliencePolicy payments(ResiliencePolicy base) {
        return base.toBuilder()
                .timeouts(base.timeouts().toBuilder()
                        .responseTimeout(ofSeconds(2))
                        .perTryTimeout(ofMillis(800))
                        .build())
                .retry(retryOf(base).toBuilder()
                        .maxRetries(2)
                        .backoff(ofMillis(100), ofMillis(500))
                        .retryOn(RetryOn.GATEWAY_ERROR)
                        .retryNonIdempotent(false) // the default, said out loud: a charge is never sent twice
                        .build())
                .build();
    }

    /**
     * A search API: 1 s deadline, 250 ms per try, 4 retries with 20 ms / 200 ms backoff on 5xx and
     * resets, 3 connect attempts, a retry budget of 50 % (at least 5 retries in flight).
     *
     * @param base the policy to start from
     * @return the variant
     */
    public static ResiliencePolicy search(ResiliencePolicy base) {
        return base.toBuilder()
                .timeouts(base.timeouts().toBuilder()
                        .responseTimeout(ofSeconds(1))
                        .perTryTimeout(ofMillis(250))
                        .build())
                .retry(retryOf(base).toBuilder()
                        .maxRetries(4)
                        .backoff(ofMillis(20), ofMillis(200))
                        .retryOn(RetryOn.FIVE_XX, RetryOn.RESET)
                        .budget(RetryBudget.of(50, 5))
                        .build())
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))
                .build();
    }

    /**
     * A batch API: 10 min deadline, no per-try timeout, 10 s connect timeout with 5 attempts, 6 retries
     * with 2 s / 60 s backoff, Retry-After honoured up to 5 min, and a pool of 8 connections.
     *
     * @param base the policy to start from
     * @return the variant
     */
    public static ResiliencePolicy batch(ResiliencePolicy base) {
        return base.toBuilder()
                .timeouts(base.timeouts().toBuilder()
                        .responseTimeout(ofMinutes(10))
                        .connectTimeout(ofSeconds(10))
                        .noPerTryTimeout()
                        .build())
                .retry(retryOf(base).toBuilder()
                        .maxRetries(6)
                        .backoff(ofSeconds(2), ofSeconds(60))
                        .maxRetryAfter(ofMinutes(5))
                        .build())
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(5))
                .connectionPool(base.connectionPool().toBuilder().maxConnections(8).build())
                .build();
    }

    /**
     * The base and its variants by name, in the order printed.
     *
     * @return {@code base}, {@code payments}, {@code search}, {@code batch}
     */
    public static Map<String, ResiliencePolicy> variants() {
        final ResiliencePolicy base = base();
        final Map<String, ResiliencePolicy> all = new LinkedHashMap<>();
        all.put("base", base);
        all.put("payments", payments(base));
        all.put("search", search(base));
        all.put("batch", batch(base));
        return all;
    }

    /**
     * Prints the variants, then runs three calls against local servers that show how they differ.
     *
     * @param args ignored
     * @throws IOException if a local server cannot start
     */
    public static void main(String[] args) throws IOException {
        variants().forEach((name, policy) -> System.out.printf("%-9s %s%n", name, Policies.describe(policy)));
        System.out.println();
        System.out.println("The same failures through different variants:");
        for (String line : tryAgainstLoopback()) {
            System.out.println("  " + line);
        }
    }

    /**
     * Sends a POST and a GET through the payments and search variants to a local server that answers
     * {@code 503} twice before it answers {@code 200}, and a POST through payments to a port where
     * nothing listens.
     *
     * @return one line per call: what was sent, through which variant, what came back after how many attempts
     * @throws IOException if a local server cannot start
     */
    public static List<String> tryAgainstLoopback() throws IOException {
        final List<String> lines = new ArrayList<>();
        final ResiliencePolicy base = base();
        try (SturdyHttpClient payments = SturdyHttpClients.custom(payments(base)).build();
             SturdyHttpClient search = SturdyHttpClients.custom(search(base)).build()) {
            lines.add("payments POST, server busy twice: "
                    + callFlakyServer(payments, true) + " (a POST that may have been processed is not resent)");
            lines.add("search   GET,  server busy twice: " + callFlakyServer(search, false));
            final int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort(); // free again once closed: nothing listens there
            }
            final HttpClientContext context = HttpClientContext.create();
            String outcome;
            try {
                outcome = Integer.toString(payments.execute(post("http://127.0.0.1:" + closedPort + "/charges"), context,
                        response -> response.getCode()));
            } catch (IOException e) {
                outcome = e.getClass().getSimpleName();
            }
            lines.add("payments POST, nothing listening: " + outcome + " after " + SturdyContext.attempts(context)
                    + " attempts (refused: the POST never left, so it is retried)");
        }
        return lines;
    }

    /** Calls a fresh local server that answers 503 to its first two requests; returns "status after N attempts". */
    private static String callFlakyServer(SturdyHttpClient client, boolean post) throws IOException {
        final AtomicInteger received = new AtomicInteger();
        try (LoopbackServer server = LoopbackServer.start("tuning", request -> received.incrementAndGet() <= 2
                ? LoopbackServer.Reply.of(503, "busy")
                : LoopbackServer.Reply.of(200, "ok"))) {
            final String url = server.baseUrl() + (post ? "/charges" : "/search?q=boots");
            final ClassicHttpRequest request = post ? post(url) : new HttpGet(url);
            final HttpClientContext context = HttpClientContext.create();
            final int status = client.execute(request, context, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            final int attempts = SturdyContext.attempts(context);
            return status + " after " + attempts + (attempts == 1 ? " attempt" : " attempts");
        }
    }

    private static ClassicHttpRequest post(String url) {
        final HttpPost post = new HttpPost(url);
        post.setEntity(new StringEntity("{\"amount\":1299,\"currency\":\"EUR\"}", ContentType.APPLICATION_JSON));
        return post;
    }

    private static HttpRetryPolicy retryOf(ResiliencePolicy base) {
        return base.retry().orElseGet(HttpRetryPolicy::defaults);
    }
}
