package dev.sturdy.httpclient5;

import dev.sturdy.EndpointGroup;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.AsyncInstaller;
import dev.sturdy.httpclient5.internal.AsyncRuntime;
import dev.sturdy.httpclient5.internal.Seams;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;

/**
 * An {@link HttpAsyncClientBuilder} that builds a {@link SturdyHttpAsyncClient}: every HttpClient
 * setting is available, and {@link #build()} installs the policy. Obtain one from
 * {@link SturdyHttpAsyncClients#custom(ResiliencePolicy)}.
 *
 * <p>sturdy owns the connection manager (limits and timeouts from the policy; customise it with
 * {@link #connectionManager(Consumer)}), the I/O reactor configuration (a 50 ms select interval, so
 * connect and TLS timeouts fire on time) and the default request configuration (pool-lease timeout);
 * {@code build()} replaces what was set for them. HttpClient's automatic retries are disabled. A
 * builder builds one client.
 *
 * <p>Thread-safety: not thread-safe; configure it on one thread.
 */
public final class SturdyHttpAsyncClientBuilder extends HttpAsyncClientBuilder {

    private final ResiliencePolicy policy;
    private Consumer<PoolingAsyncClientConnectionManagerBuilder> poolCustomizer = b -> { };
    private final List<EndpointGroup> groups = new ArrayList<>();
    private Seams seams = Seams.SYSTEM;
    private boolean built;

    SturdyHttpAsyncClientBuilder(ResiliencePolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Adds changes to the async connection pool sturdy builds (TLS strategy, DNS resolver ...), applied
     * after the policy's settings, in the order given.
     *
     * @param customizer changes to apply
     * @return this builder
     */
    public SturdyHttpAsyncClientBuilder connectionManager(Consumer<PoolingAsyncClientConnectionManagerBuilder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        this.poolCustomizer = this.poolCustomizer.andThen(customizer);
        return this;
    }

    /**
     * Spreads requests for a logical service over several replicas, as
     * {@link SturdyHttpClientBuilder#endpointGroup(EndpointGroup)} does for the classic client: a request
     * whose scheme, host and port are the group's service is sent to one of its members; each attempt
     * picks a member that is not ejected (round-robin or least-outstanding), a retry prefers a member
     * not tried yet in the call, and the group's health check, if any, probes the members in the
     * background (over a small async client of its own with one I/O thread, connecting as this client
     * does). The {@code Host} header (HTTP/2 {@code :authority}) stays the service's name. With a
     * {@link dev.sturdy.CircuitBreakerPolicy} in the policy, failing members are ejected.
     *
     * @param group the group; one group per service
     * @return this builder
     */
    public SturdyHttpAsyncClientBuilder endpointGroup(EndpointGroup group) {
        groups.add(Objects.requireNonNull(group, "group"));
        return this;
    }

    /** Test seam: replaces time and randomness (the async client never sleeps: waits are timer tasks). */
    SturdyHttpAsyncClientBuilder seams(Seams seams) {
        this.seams = Objects.requireNonNull(seams, "seams");
        return this;
    }

    /**
     * Builds the client with the policy installed. Call {@code start()} on it before use.
     *
     * @return the client
     * @throws IllegalStateException when called a second time
     */
    @Override
    public SturdyHttpAsyncClient build() {
        if (built) {
            throw new IllegalStateException(
                    "build: called twice (expected: one client per SturdyHttpAsyncClientBuilder)");
        }
        built = true;
        final AsyncRuntime runtime = AsyncInstaller.install(policy, this, seams, poolCustomizer, List.copyOf(groups));
        runtime.attach(super.build());
        if (!groups.isEmpty()) {
            runtime.runtime().startEndpoints(); // health checks probe from the start
        }
        return new SturdyHttpAsyncClient(runtime);
    }
}
