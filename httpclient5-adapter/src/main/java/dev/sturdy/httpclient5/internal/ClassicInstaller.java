package dev.sturdy.httpclient5.internal;

import dev.sturdy.EndpointGroup;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.Timeout;

/** Puts a policy into an {@link HttpClientBuilder}: pool, timeouts, the three chain handlers. */
public final class ClassicInstaller {

    private ClassicInstaller() {
    }

    /**
     * @param policy the policy
     * @return a pool builder set up with the policy's limits and connect/TLS timeouts
     */
    public static PoolingHttpClientConnectionManagerBuilder poolBuilder(ResiliencePolicy policy) {
        final TimeoutPolicy timeouts = policy.timeouts();
        final Timeout connect = timeout(timeouts.connectTimeout());
        return PoolingHttpClientConnectionManagerBuilder.create()
                // STRICT: LAX ignores the total limit
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.STRICT)
                .setMaxConnTotal(policy.connectionPool().maxConnections())
                .setMaxConnPerRoute(policy.connectionPool().maxConnectionsPerEndpoint())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        // a read-timeout backstop; the hard deadline is sturdy's own
                        .setSocketTimeout(timeout(timeouts.responseTimeout()))
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(connect).build());
    }

    /**
     * Installs the policy.
     *
     * @param policy       the policy
     * @param builder      the client builder to install into
     * @param seams        time, sleeping and randomness
     * @param poolCustomizer last changes to the pool builder (TLS strategy, DNS resolver ...)
     * @param groups       endpoint groups: logical services spread over replicas
     * @return the connection manager of the client the builder will build; closing it (as closing the
     *         client does) stops the sturdy runtime
     */
    public static SturdyConnectionManager install(ResiliencePolicy policy, HttpClientBuilder builder, Seams seams,
                                        Consumer<PoolingHttpClientConnectionManagerBuilder> poolCustomizer,
                                        List<EndpointGroup> groups) {
        final PoolingHttpClientConnectionManagerBuilder poolBuilder = poolBuilder(policy);
        poolCustomizer.accept(poolBuilder);
        final ClientRuntime runtime = new ClientRuntime(policy, seams, groups, poolCustomizer);
        final Duration pendingWait = policy.connectionPool().maxPendingWait().orElse(policy.timeouts().connectTimeout());
        final SturdyConnectionManager manager = new SturdyConnectionManager(poolBuilder.build(), runtime);
        builder.setConnectionManager(manager)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(timeout(pendingWait))
                        .build())
                // HttpClient's own retries would multiply ours (and retry 429/503 even for POST)
                .disableAutomaticRetries()
                .addExecInterceptorFirst("sturdy-call", new CallHandler(runtime))
                // without endpoint groups nothing reads an endpoint's in-flight count (least-outstanding balancing)
                .addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sturdy-retry",
                        new AttemptHandler(runtime, !groups.isEmpty()))
                .addExecInterceptorLast("sturdy-dispatch", new DispatchMarker());
        return manager;
    }

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(Math.max(1, PolicyState.nanos(d) / 1_000_000));
    }
}
