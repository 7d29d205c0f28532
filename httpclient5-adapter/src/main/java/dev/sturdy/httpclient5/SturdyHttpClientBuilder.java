package dev.sturdy.httpclient5;

import dev.sturdy.EndpointGroup;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.internal.ClassicInstaller;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.internal.SturdyConnectionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;

/**
 * An {@link HttpClientBuilder} that builds a {@link SturdyHttpClient}: every HttpClient setting is
 * available (user agent, interceptors, proxies, cookies ...), and {@link #build()} installs the
 * policy. Obtain one from {@link SturdyHttpClients#custom(ResiliencePolicy)}.
 *
 * <p>sturdy owns the connection manager (its limits and timeouts come from the policy): customise it
 * with {@link #connectionManager(Consumer)}, for instance to set a TLS strategy, rather than with
 * {@code setConnectionManager}, which {@code build()} replaces. Automatic retries of HttpClient are
 * disabled. A builder builds one client.
 *
 * <p>Thread-safety: not thread-safe; configure it on one thread.
 */
public final class SturdyHttpClientBuilder extends HttpClientBuilder {

    private final ResiliencePolicy policy;
    private Consumer<PoolingHttpClientConnectionManagerBuilder> poolCustomizer = b -> { };
    private Seams seams = Seams.SYSTEM;
    private final List<EndpointGroup> groups = new ArrayList<>();
    private boolean built;

    SturdyHttpClientBuilder(ResiliencePolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Adds changes to the connection pool sturdy builds (TLS socket strategy, DNS resolver, socket
     * configuration, connection time-to-live ...). Applied after the policy's settings, in the order
     * given; a customiser that changes the limits or timeouts the policy sets overrides the policy.
     *
     * @param customizer changes to apply
     * @return this builder
     */
    public SturdyHttpClientBuilder connectionManager(Consumer<PoolingHttpClientConnectionManagerBuilder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        this.poolCustomizer = this.poolCustomizer.andThen(customizer);
        return this;
    }

    /**
     * Spreads requests for a logical service over several replicas. A request whose scheme, host and
     * port are the group's service (e.g. {@code http://orders/api/1}) is sent to one of its members;
     * each attempt picks a member that is not ejected (round-robin or least-outstanding), a retry
     * prefers a member not tried yet in the call, and the group's health check, if any, probes the
     * members in the background. The {@code Host} header stays the service's name. With a
     * {@link dev.sturdy.CircuitBreakerPolicy} in the policy, failing members are ejected.
     *
     * @param group the group; one group per service
     * @return this builder
     */
    public SturdyHttpClientBuilder endpointGroup(EndpointGroup group) {
        groups.add(Objects.requireNonNull(group, "group"));
        return this;
    }

    /** Test seam: replaces time, sleeping and randomness. */
    SturdyHttpClientBuilder seams(Seams seams) {
        this.seams = Objects.requireNonNull(seams, "seams");
        return this;
    }

    /**
     * Builds the client with the policy installed.
     *
     * @return the client
     * @throws IllegalStateException when called a second time
     */
    @Override
    public SturdyHttpClient build() {
        if (built) {
            throw new IllegalStateException("build: called twice (expected: one client per SturdyHttpClientBuilder)");
        }
        built = true;
        final SturdyConnectionManager manager = ClassicInstaller.install(policy, this, seams, poolCustomizer,
                List.copyOf(groups));
        final CloseableHttpClient client = super.build();
        if (!groups.isEmpty()) {
            manager.runtime().startEndpoints(); // health checks probe from the start
        }
        return new SturdyHttpClient(client, manager);
    }
}
