package dev.sturdy.benchmarks;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/** The clients the benchmarks compare, built the same way everywhere. */
final class Clients {

    /**
     * Reads the body to the end and returns the status: what every variant does with a response. Reads
     * byte by byte (the bodies here are a few bytes) so that no 4 KB scratch buffer per call, as
     * {@code EntityUtils.toByteArray} allocates, hides the differences between variants.
     */
    static final HttpClientResponseHandler<Integer> READ_BODY = response -> {
        final HttpEntity entity = response.getEntity();
        if (entity != null) {
            try (InputStream in = entity.getContent()) {
                while (in.read() >= 0) {
                    // discard
                }
            }
        }
        return response.getCode();
    };

    private Clients() {
    }

    /** The connect and socket timeouts sturdy sets on its pool for {@code policy} (classic and async alike). */
    private static ConnectionConfig connectionConfig(ResiliencePolicy policy) {
        final TimeoutPolicy t = policy.timeouts();
        return ConnectionConfig.custom()
                .setConnectTimeout(timeout(t.connectTimeout()))
                .setSocketTimeout(timeout(t.responseTimeout()))
                .build();
    }

    /** The pool-lease timeout sturdy applies for {@code policy}: its maxPendingWait, or the connect timeout. */
    private static RequestConfig requestConfig(ResiliencePolicy policy) {
        final Duration leaseTimeout = policy.connectionPool().maxPendingWait().orElse(policy.timeouts().connectTimeout());
        return RequestConfig.custom().setConnectionRequestTimeout(timeout(leaseTimeout)).build();
    }

    /**
     * Raw HttpClient 5 classic with the pool sizes and timeouts sturdy would set for {@code policy}, and
     * HttpClient's automatic retries disabled (as sturdy disables them): the baseline of "wrapped / raw".
     */
    static CloseableHttpClient raw(ResiliencePolicy policy) {
        final ConnectionPoolPolicy pool = policy.connectionPool();
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.STRICT)
                        .setMaxConnTotal(pool.maxConnections())
                        .setMaxConnPerRoute(pool.maxConnectionsPerEndpoint())
                        .setDefaultConnectionConfig(connectionConfig(policy))
                        .build())
                .setDefaultRequestConfig(requestConfig(policy))
                .disableAutomaticRetries()
                .build();
    }

    /**
     * Raw HttpClient 5 async set up as sturdy sets up the client that runs its async attempts for
     * {@code policy}: the same pool sizes, policy and timeouts, the same 50 ms I/O reactor select interval,
     * the pool-lease timeout, automatic retries disabled; default I/O threads (one per CPU). Started.
     */
    static CloseableHttpAsyncClient rawAsync(ResiliencePolicy policy) {
        final ConnectionPoolPolicy pool = policy.connectionPool();
        final CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.STRICT)
                        .setMaxConnTotal(pool.maxConnections())
                        .setMaxConnPerRoute(pool.maxConnectionsPerEndpoint())
                        .setDefaultConnectionConfig(connectionConfig(policy))
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setSelectInterval(TimeValue.ofMilliseconds(50)).build())
                .setDefaultRequestConfig(requestConfig(policy))
                .disableAutomaticRetries()
                .build();
        client.start();
        return client;
    }

    /**
     * One async GET, waited for: a new {@code SimpleHttpRequest} per call (the body is buffered by
     * HttpClient's simple response consumer, the same for every variant).
     *
     * @return the status
     */
    static int asyncGet(CloseableHttpAsyncClient client, java.net.URI uri) throws Exception {
        final SimpleHttpResponse response = client.execute(SimpleRequestBuilder.get(uri).build(), null).get();
        return response.getCode();
    }

    /**
     * Failsafe retry (3 retries, backoff, on IOException or 5xx) inside a circuit breaker (5 failures),
     * as a user would hand-roll it around {@code execute}.
     */
    static FailsafeExecutor<Integer> failsafe(Duration initialDelay, Duration maxDelay) {
        final RetryPolicy<Integer> retry = RetryPolicy.<Integer>builder()
                .handle(IOException.class)
                .handleResultIf(status -> status >= 500)
                .withMaxRetries(3)
                .withBackoff(initialDelay, maxDelay)
                .withJitter(0.25)
                .build();
        final CircuitBreaker<Integer> breaker = CircuitBreaker.<Integer>builder()
                .handle(IOException.class)
                .handleResultIf(status -> status >= 500)
                .withFailureThreshold(5)
                .withDelay(Duration.ofSeconds(30))
                .build();
        return Failsafe.with(retry, breaker);
    }

    /** Resilience4j Retry (4 attempts on IOException or 5xx) around a CircuitBreaker (defaults), decorated once. */
    static CheckedSupplier<Integer> resilience4j(CheckedSupplier<Integer> call) {
        final Retry retry = Retry.of("bench", RetryConfig.<Integer>custom()
                .maxAttempts(4)
                .waitDuration(Duration.ofSeconds(1))
                .retryExceptions(IOException.class)
                .retryOnResult(status -> status >= 500)
                .build());
        final io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
                io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench", CircuitBreakerConfig.custom()
                        .recordExceptions(IOException.class)
                        .build());
        return Retry.decorateCheckedSupplier(retry,
                io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCheckedSupplier(breaker, call));
    }

    static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(Math.max(1, d.toMillis()));
    }
}
