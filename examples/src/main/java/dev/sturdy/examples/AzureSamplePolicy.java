package dev.sturdy.examples;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TcpRetryPolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.httpclient5.SturdyContext;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The sample resiliency policy of the Azure Container Apps documentation, written as a sturdy policy,
 * field by field. Each line names the Azure field it comes from, so a policy kept in Bicep or YAML can
 * be carried over by hand:
 *
 * <pre>
 * timeoutPolicy:        responseTimeoutInSeconds 15, connectionTimeoutInSeconds 5
 * httpRetryPolicy:      maxRetries 5, retryBackOff 1000 ms / 10000 ms,
 *                       matches: headers x-ms-retriable exactMatch "true", httpStatusCodes 502 503,
 *                                errors retriable-headers retriable-status-codes 5xx reset connect-failure retriable-4xx
 * tcpRetryPolicy:       maxConnectAttempts 3
 * circuitBreakerPolicy: consecutiveErrors 5, intervalInSeconds 10, maxEjectionPercent 50
 * tcpConnectionPool:    maxConnections 100
 * httpConnectionPool:   http1MaxPendingRequests 1024, http2MaxRequests 1024
 * </pre>
 *
 * <p>The main difference from the Azure sidecar: sturdy runs in the calling process, so the policy
 * applies to the calls <em>this</em> client makes, not to the calls a container app receives.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples -am compile exec:java -Dexec.mainClass=dev.sturdy.examples.AzureSamplePolicy}.
 *
 * <p>Thread-safety: stateless; the policy it returns is immutable.
 */
public final class AzureSamplePolicy {

    private AzureSamplePolicy() {
    }

    /**
     * Returns the Azure Container Apps sample policy as a sturdy policy.
     *
     * @return the policy
     */
    public static ResiliencePolicy policy() {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder()
                        .responseTimeout(ofSeconds(15))        // timeoutPolicy.responseTimeoutInSeconds: 15
                        .connectTimeout(ofSeconds(5))          // timeoutPolicy.connectionTimeoutInSeconds: 5
                        .build())
                .retry(HttpRetryPolicy.builder()
                        .maxRetries(5)                         // httpRetryPolicy.maxRetries: 5
                        .initialDelay(ofMillis(1000))          // httpRetryPolicy.retryBackOff.initialDelayInMilliseconds: 1000
                        .maxInterval(ofMillis(10_000))         // httpRetryPolicy.retryBackOff.maxIntervalInMilliseconds: 10000
                        .header(HeaderMatch.exact("x-ms-retriable", "true")) // httpRetryPolicy.matches.headers:
                                                               //   header x-ms-retriable, match.exactMatch "true"
                        .statusCodes(502, 503)                 // httpRetryPolicy.matches.httpStatusCodes: [502, 503]
                        .retryOn(                              // httpRetryPolicy.matches.errors:
                                RetryOn.RETRIABLE_HEADERS,     //   retriable-headers (sturdy needs it named whenever
                                                               //   header matchers are set: it makes them apply)
                                RetryOn.RETRIABLE_STATUS_CODES, //  retriable-status-codes (the httpStatusCodes above)
                                RetryOn.FIVE_XX,               //   5xx
                                RetryOn.RESET,                 //   reset
                                RetryOn.CONNECT_FAILURE,       //   connect-failure
                                RetryOn.RETRIABLE_4XX)         //   retriable-4xx (409)
                        .build())
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3)) // tcpRetryPolicy.maxConnectAttempts: 3
                .circuitBreaker(CircuitBreakerPolicy.builder()
                        .consecutiveErrors(5)                  // circuitBreakerPolicy.consecutiveErrors: 5
                        .interval(ofSeconds(10))               // circuitBreakerPolicy.intervalInSeconds: 10
                        .maxEjectionPercent(50)                // circuitBreakerPolicy.maxEjectionPercent: 50
                        .build())
                .connectionPool(ConnectionPoolPolicy.builder()
                        .maxConnections(100)                   // tcpConnectionPool.maxConnections: 100
                        .http1MaxPendingRequests(1024)         // httpConnectionPool.http1MaxPendingRequests: 1024
                        .http2MaxRequests(1024)                // httpConnectionPool.http2MaxRequests: 1024
                        .build())
                .build();
    }

    /**
     * Prints the policy, then makes one call with it to a local server whose first answer is a
     * {@code 404} marked {@code x-ms-retriable: true}.
     *
     * @param args ignored
     * @throws IOException if the local server cannot start
     */
    public static void main(String[] args) throws IOException {
        System.out.println(explain(policy()));
        System.out.println();
        System.out.println("Trying it: " + tryAgainstLoopback(policy()));
    }

    /**
     * Lists a policy's values under their Azure Container Apps names.
     *
     * @param p the policy
     * @return one line per Azure field
     */
    public static String explain(ResiliencePolicy p) {
        final HttpRetryPolicy r = p.retry().orElseThrow(() -> new IllegalArgumentException("retry: none (expected: a retry policy)"));
        final CircuitBreakerPolicy cb = p.circuitBreaker()
                .orElseThrow(() -> new IllegalArgumentException("circuitBreaker: none (expected: a circuit breaker policy)"));
        final ConnectionPoolPolicy pool = p.connectionPool();
        final StringBuilder sb = new StringBuilder("The Azure Container Apps sample resiliency policy, as a sturdy policy:\n");
        line(sb, "timeoutPolicy.responseTimeoutInSeconds", p.timeouts().responseTimeout().toSeconds(), "TimeoutPolicy.responseTimeout");
        line(sb, "timeoutPolicy.connectionTimeoutInSeconds", p.timeouts().connectTimeout().toSeconds(), "TimeoutPolicy.connectTimeout");
        line(sb, "httpRetryPolicy.maxRetries", r.maxRetries(), "HttpRetryPolicy.maxRetries");
        line(sb, "httpRetryPolicy.retryBackOff.initialDelayInMilliseconds", r.initialDelay().toMillis(), "HttpRetryPolicy.initialDelay");
        line(sb, "httpRetryPolicy.retryBackOff.maxIntervalInMilliseconds", r.maxInterval().toMillis(), "HttpRetryPolicy.maxInterval");
        line(sb, "httpRetryPolicy.matches.headers", r.headers(), "HttpRetryPolicy.headers");
        line(sb, "httpRetryPolicy.matches.httpStatusCodes", r.statusCodes(), "HttpRetryPolicy.statusCodes");
        line(sb, "httpRetryPolicy.matches.errors", r.retryOn(), "HttpRetryPolicy.retryOn");
        line(sb, "tcpRetryPolicy.maxConnectAttempts", p.tcpRetry().maxConnectAttempts(), "TcpRetryPolicy.maxConnectAttempts");
        line(sb, "circuitBreakerPolicy.consecutiveErrors", cb.consecutiveErrors(), "CircuitBreakerPolicy.consecutiveErrors");
        line(sb, "circuitBreakerPolicy.intervalInSeconds", cb.interval().toSeconds(), "CircuitBreakerPolicy.interval");
        line(sb, "circuitBreakerPolicy.maxEjectionPercent", cb.maxEjectionPercent(), "CircuitBreakerPolicy.maxEjectionPercent");
        line(sb, "tcpConnectionPool.maxConnections", pool.maxConnections(), "ConnectionPoolPolicy.maxConnections");
        line(sb, "httpConnectionPool.http1MaxPendingRequests", pool.http1MaxPendingRequests(),
                "ConnectionPoolPolicy.http1MaxPendingRequests");
        line(sb, "httpConnectionPool.http2MaxRequests", pool.http2MaxRequests(), "ConnectionPoolPolicy.http2MaxRequests");
        sb.append("Not in the Azure sample, sturdy's defaults: perTryTimeout ")
                .append(p.timeouts().perTryTimeout().map(Policies::human).orElse("none"))
                .append(", Retry-After ").append(r.respectRetryAfter() ? "honoured up to " + Policies.human(r.maxRetryAfter()) : "ignored")
                .append(", retryNonIdempotent ").append(r.retryNonIdempotent())
                .append(", retry budget ").append(r.budget())
                .append(",\n  baseEjectionTime ").append(Policies.human(cb.baseEjectionTime()))
                .append(", maxEjectionTime ").append(Policies.human(cb.maxEjectionTime()))
                .append(", maxConnectionsPerEndpoint ").append(pool.maxConnectionsPerEndpoint())
                .append('\n');
        sb.append("In one line: ").append(Policies.describe(p));
        return sb.toString();
    }

    /**
     * Makes one GET with the policy to a local server that answers its first request with {@code 404}
     * and {@code x-ms-retriable: true}, and {@code 200} afterwards. The header matcher makes the 404
     * retriable; the retry waits a random part of the 1 s initial backoff.
     *
     * @param p the policy
     * @return e.g. {@code 200 after 2 attempts (the first answer was 404 with x-ms-retriable: true)}
     * @throws IOException if the local server cannot start or the call fails
     */
    public static String tryAgainstLoopback(ResiliencePolicy p) throws IOException {
        final AtomicInteger received = new AtomicInteger();
        try (LoopbackServer server = LoopbackServer.start("azure-sample", request -> received.incrementAndGet() == 1
                ? LoopbackServer.Reply.of(404, "not replicated yet").withHeader("x-ms-retriable", "true")
                : LoopbackServer.Reply.of(200, "found"));
             SturdyHttpClient client = SturdyHttpClients.custom(p).build()) {
            final HttpClientContext context = HttpClientContext.create();
            final int status = client.execute(new HttpGet(server.baseUrl() + "/orders/42"), context, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            return status + " after " + SturdyContext.attempts(context)
                    + " attempts (the first answer was 404 with x-ms-retriable: true)";
        }
    }

    private static void line(StringBuilder sb, String azure, Object value, String sturdy) {
        sb.append(String.format("  %-56s %s  (sturdy: %s)%n", azure + ":", value, sturdy));
    }
}
