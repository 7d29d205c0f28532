package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.ClassicInstaller;
import dev.sturdy.httpclient5.internal.Seams;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;

/**
 * Entry points: build an HttpClient 5 classic client that follows a {@link ResiliencePolicy}.
 *
 * <pre>{@code
 * ResiliencePolicy policy = ResiliencePolicy.recommended();
 * try (SturdyHttpClient client = SturdyHttpClients.custom(policy).setUserAgent("orders/1.0").build()) {
 *     String body = client.execute(new HttpGet("http://orders/api/1"), r -> EntityUtils.toString(r.getEntity()));
 * }
 * }</pre>
 *
 * <p>What installing a policy does to a builder: it sets a pooling connection manager with the
 * policy's limits, connect and TLS-handshake timeouts; it sets the default request configuration's
 * connection-request (pool lease) timeout; it disables HttpClient's automatic retries (they would
 * retry 429/503 even for POST and multiply sturdy's attempts); and it adds three exec-chain handlers
 * (the whole call first, the retry loop just before {@code PROTOCOL}, a dispatch marker just before
 * {@code MAIN_TRANSPORT}). Redirects, authentication, cookies and compression keep working; each
 * redirect hop gets its own retries, under one deadline for the whole call.
 *
 * <p>Thread-safety: the static methods are thread-safe; each returns a new builder.
 */
public final class SturdyHttpClients {

    private SturdyHttpClients() {
    }

    /**
     * A new client builder with the policy; {@code build()} returns a {@link SturdyHttpClient} that
     * exposes the client's counters and pool statistics.
     *
     * @param policy the policy every call follows
     * @return a builder; set any further HttpClient option on it before {@code build()}
     */
    public static SturdyHttpClientBuilder custom(ResiliencePolicy policy) {
        return new SturdyHttpClientBuilder(policy);
    }

    /**
     * Installs the policy into an existing builder (see the class description for what changes).
     * Call it after your own {@code setConnectionManager} or {@code setDefaultRequestConfig}, which
     * it replaces; to customise the pool, use {@link #install(ResiliencePolicy, HttpClientBuilder, Consumer)}.
     *
     * @param policy  the policy every call follows
     * @param builder the builder to change
     * @return the same builder
     */
    public static HttpClientBuilder install(ResiliencePolicy policy, HttpClientBuilder builder) {
        return install(policy, builder, b -> { });
    }

    /**
     * Installs the policy into an existing builder, with changes to the connection pool sturdy builds
     * (TLS socket strategy, DNS resolver ...), applied after the policy's own settings.
     *
     * @param policy         the policy every call follows
     * @param builder        the builder to change
     * @param poolCustomizer changes to the pool builder
     * @return the same builder
     */
    public static HttpClientBuilder install(ResiliencePolicy policy, HttpClientBuilder builder,
                                            Consumer<PoolingHttpClientConnectionManagerBuilder> poolCustomizer) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(poolCustomizer, "poolCustomizer");
        ClassicInstaller.install(policy, builder, Seams.SYSTEM, poolCustomizer, List.of());
        return builder;
    }
}
