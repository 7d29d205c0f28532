package dev.sturdy.httpclient5.internal;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Sets up an {@link HttpAsyncClientBuilder} to run single attempts of sturdy async calls: a pool with
 * the policy's limits and connect/TLS timeouts behind sturdy's admission control
 * ({@link SturdyAsyncConnectionManager}: bounded pending queue, pool-lease timeout), a short I/O
 * reactor select interval, HttpClient's own retries off, and the two {@link AsyncChainMarker}s.
 */
public final class AsyncInstaller {

    /**
     * The I/O reactor checks its timeouts once per select interval (1 s by default, so a 60 ms connect
     * timeout would fire up to a second late). sturdy's watchdog enforces the deadlines anyway; this
     * keeps HttpClient's own connect and TLS timeouts close to their values.
     */
    static final TimeValue SELECT_INTERVAL = TimeValue.ofMilliseconds(50);

    private AsyncInstaller() {
    }

    /**
     * @param policy the policy
     * @return an async pool builder with the policy's limits and connect/TLS timeouts
     */
    public static PoolingAsyncClientConnectionManagerBuilder poolBuilder(ResiliencePolicy policy) {
        final TimeoutPolicy timeouts = policy.timeouts();
        final Timeout connect = timeout(timeouts.connectTimeout());
        return PoolingAsyncClientConnectionManagerBuilder.create()
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.STRICT) // LAX ignores the total limit
                .setMaxConnTotal(policy.connectionPool().maxConnections())
                .setMaxConnPerRoute(policy.connectionPool().maxConnectionsPerEndpoint())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(timeout(timeouts.responseTimeout())) // a backstop; the deadline is sturdy's
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(connect).build());
    }

    /**
     * Installs the policy into the builder of the client that runs the attempts.
     *
     * @return the runtime; {@link AsyncRuntime#attach} it to the built client
     */
    public static AsyncRuntime install(ResiliencePolicy policy, HttpAsyncClientBuilder builder, Seams seams,
                                       Consumer<PoolingAsyncClientConnectionManagerBuilder> poolCustomizer) {
        return install(policy, builder, seams, poolCustomizer, java.util.List.of());
    }

    /**
     * Installs the policy into the builder of the client that runs the attempts, with endpoint groups.
     *
     * @return the runtime; {@link AsyncRuntime#attach} it to the built client
     */
    public static AsyncRuntime install(ResiliencePolicy policy, HttpAsyncClientBuilder builder, Seams seams,
                                       Consumer<PoolingAsyncClientConnectionManagerBuilder> poolCustomizer,
                                       java.util.List<dev.sturdy.EndpointGroup> groups) {
        final PoolingAsyncClientConnectionManagerBuilder poolBuilder = poolBuilder(policy);
        poolCustomizer.accept(poolBuilder);
        final PoolingAsyncClientConnectionManager pool = poolBuilder.build();
        final Duration pendingWait = policy.connectionPool().maxPendingWait().orElse(policy.timeouts().connectTimeout());
        final AsyncRuntime runtime = new AsyncRuntime(policy, seams, pool, groups, poolCustomizer);
        final SturdyAsyncConnectionManager manager = new SturdyAsyncConnectionManager(pool, runtime);
        runtime.admission(manager);
        builder.setConnectionManager(manager)
                .setIOReactorConfig(IOReactorConfig.custom().setSelectInterval(SELECT_INTERVAL).build())
                // the lease timeout sturdy's queue enforces (maxPendingWait, or a request's own shorter one)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(timeout(pendingWait))
                        .build())
                // HttpClient's own retries would multiply ours (and retry 429/503 even for POST)
                .disableAutomaticRetries()
                .addExecInterceptorFirst("sturdy-attempt", AsyncChainMarker.ATTEMPT)
                .addExecInterceptorLast("sturdy-dispatch", AsyncChainMarker.DISPATCH);
        return runtime;
    }

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(Math.max(1, PolicyState.nanos(d) / 1_000_000));
    }
}
