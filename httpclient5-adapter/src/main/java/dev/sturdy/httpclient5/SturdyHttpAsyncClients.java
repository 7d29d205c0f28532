package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.AsyncInstaller;
import dev.sturdy.httpclient5.internal.AsyncRuntime;
import dev.sturdy.httpclient5.internal.Seams;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;

/**
 * Entry point: build an HttpClient 5 async client that follows a {@link ResiliencePolicy}.
 *
 * <pre>{@code
 * try (SturdyHttpAsyncClient client = SturdyHttpAsyncClients.custom(ResiliencePolicy.recommended()).build()) {
 *     client.start();
 *     SimpleHttpResponse r = client.execute(SimpleRequestBuilder.get("http://orders/api/1").build(), null).get();
 * }
 * }</pre>
 *
 * <p>The client runs each attempt on an HttpClient async client built from the builder (with every
 * setting given to it), and runs the retry loop around the attempts: overall deadline and per-try
 * timeout enforced by sturdy's watchdog (cancelling the attempt in flight), retries with backoff or
 * Retry-After on one shared timer thread, the idempotency rules, the retry budget, TCP connect
 * retries, and the same events, counters and logs as the classic client. HTTP/2 {@code REFUSED_STREAM}
 * and GOAWAY before processing are retried for any method.
 *
 * <p>Outlier ejection (the policy's circuit breaker) works per endpoint as in the classic client, and
 * {@link SturdyHttpAsyncClientBuilder#endpointGroup(dev.sturdy.EndpointGroup)} spreads a service over
 * replicas. {@code http2MaxRequests} limits the calls in flight per client (on HTTP/2, the streams).
 *
 * <p>Thread-safety: thread-safe; each {@code custom} call returns a new builder.
 */
public final class SturdyHttpAsyncClients {

    private SturdyHttpAsyncClients() {
    }

    /**
     * A new async client builder with the policy; {@code build()} returns a {@link SturdyHttpAsyncClient}.
     *
     * @param policy the policy every call follows
     * @return a builder; set any further HttpClient option on it before {@code build()}
     */
    public static SturdyHttpAsyncClientBuilder custom(ResiliencePolicy policy) {
        return new SturdyHttpAsyncClientBuilder(policy);
    }

    /**
     * Builds a sturdy async client from an {@link HttpAsyncClientBuilder} you already configured (proxy,
     * interceptors, user agent, TLS through {@code poolCustomizer}...). Unlike the classic
     * {@link SturdyHttpClients#install(ResiliencePolicy, org.apache.hc.client5.http.impl.classic.HttpClientBuilder)},
     * this returns the built client rather than the builder: the async retry loop runs around the client
     * HttpClient builds (one {@code execute} per attempt), so a client built directly from the builder
     * would bypass it. The builder's connection manager, I/O reactor configuration, default request
     * configuration and automatic retries are replaced as {@link SturdyHttpAsyncClientBuilder} describes;
     * do not build the builder again.
     *
     * @param policy  the policy every call follows
     * @param builder the configured builder; consumed
     * @return the client; call {@code start()} on it before use
     */
    public static SturdyHttpAsyncClient install(ResiliencePolicy policy, HttpAsyncClientBuilder builder) {
        return install(policy, builder, b -> { });
    }

    /**
     * As {@link #install(ResiliencePolicy, HttpAsyncClientBuilder)}, with changes to the async connection
     * pool sturdy builds (TLS strategy, DNS resolver ...), applied after the policy's own settings.
     *
     * @param policy         the policy every call follows
     * @param builder        the configured builder; consumed
     * @param poolCustomizer changes to the pool builder
     * @return the client; call {@code start()} on it before use
     */
    public static SturdyHttpAsyncClient install(ResiliencePolicy policy, HttpAsyncClientBuilder builder,
                                                Consumer<PoolingAsyncClientConnectionManagerBuilder> poolCustomizer) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(poolCustomizer, "poolCustomizer");
        if (builder instanceof SturdyHttpAsyncClientBuilder) {
            throw new IllegalArgumentException("builder: a SturdyHttpAsyncClientBuilder"
                    + " (expected: a plain HttpAsyncClientBuilder; a sturdy builder has its policy already)");
        }
        final AsyncRuntime runtime = AsyncInstaller.install(policy, builder, Seams.SYSTEM, poolCustomizer);
        runtime.attach(builder.build());
        return new SturdyHttpAsyncClient(runtime);
    }
}
