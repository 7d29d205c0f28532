package dev.sturdy.httpclient5.internal;

import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.ResiliencePolicy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * Health probes of an async client: a small async HttpClient of their own with one I/O thread (no
 * retries, no redirects, no sturdy handlers), through a pool built like the client's (the policy's pool
 * builder, then the user's customizer: TLS strategy, DNS resolver). A separate pool, so probes never
 * queue behind, or count against, the client's own connection limits. Nothing blocks; the body is
 * discarded as it arrives.
 */
final class AsyncProbes implements ProbeTransport {

    private final CloseableHttpAsyncClient client;

    AsyncProbes(ResiliencePolicy policy, Consumer<PoolingAsyncClientConnectionManagerBuilder> poolCustomizer) {
        final PoolingAsyncClientConnectionManagerBuilder poolBuilder = AsyncInstaller.poolBuilder(policy);
        poolCustomizer.accept(poolBuilder);
        client = HttpAsyncClients.custom()
                .setConnectionManager(poolBuilder.build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(1)
                        .setSelectInterval(AsyncInstaller.SELECT_INTERVAL)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        client.start();
    }

    /**
     * The member is the connection's target; the request's authority, its {@code Host} header (or
     * HTTP/2 {@code :authority}) and, over TLS, the server name and the name the member's certificate
     * must carry, is the service, as real calls to the member have them.
     */
    @Override
    public CompletableFuture<Integer> probe(HttpHost member, HealthCheckPolicy policy, URIAuthority serviceAuthority) {
        final Timeout timeout = Timeout.of(policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        final SimpleRequestBuilder request = SimpleRequestBuilder.get()
                .setScheme(member.getSchemeName())
                .setAuthority(serviceAuthority)
                .setPath(policy.path())
                .setRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout)
                        .build());
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        final Future<Message<HttpResponse, Void>> exchange;
        try {
            exchange = client.execute(member, SimpleRequestProducer.create(request.build()),
                    new BasicResponseConsumer<>(new DiscardingEntityConsumer<>()), null, null,
                    new FutureCallback<Message<HttpResponse, Void>>() {
                        @Override
                        public void completed(Message<HttpResponse, Void> message) {
                            result.complete(message.getHead().getCode());
                        }

                        @Override
                        public void failed(Exception failure) {
                            result.completeExceptionally(failure);
                        }

                        @Override
                        public void cancelled() {
                            result.cancel(false);
                        }
                    });
        } catch (RuntimeException e) { // closed
            result.completeExceptionally(e);
            return result;
        }
        result.whenComplete((status, failure) -> {
            if (result.isCancelled()) {
                exchange.cancel(true);
            }
        });
        return result;
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
    }
}
