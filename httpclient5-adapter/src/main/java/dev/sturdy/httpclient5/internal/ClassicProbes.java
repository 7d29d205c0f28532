package dev.sturdy.httpclient5.internal;

import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.ResiliencePolicy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.util.Timeout;

/**
 * Health probes of a classic client: a small classic HttpClient of their own (no retries, no sturdy
 * handlers) through a connection manager built like the client's, on a bounded pool of daemon threads
 * ({@code sturdy-probe-N}, one per probed member at most, since a member has one probe in flight).
 */
final class ClassicProbes implements ProbeTransport {

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final CloseableHttpClient client;
    private final ThreadPoolExecutor executor;

    ClassicProbes(ResiliencePolicy policy, Consumer<PoolingHttpClientConnectionManagerBuilder> poolCustomizer,
                  int probedMembers) {
        final PoolingHttpClientConnectionManagerBuilder poolBuilder = ClassicInstaller.poolBuilder(policy);
        poolCustomizer.accept(poolBuilder);
        client = HttpClients.custom()
                .setConnectionManager(poolBuilder.build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        final int threads = Math.max(1, probedMembers);
        executor = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    final Thread t = new Thread(r, "sturdy-probe-" + THREAD_IDS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * The service authority is the request's authority: its {@code Host} header and, over TLS, the
     * server name and the name the member's certificate must carry (HttpClient's route planner takes it
     * when it differs from the member), as real calls to the member have them. Blocks a probe thread,
     * never the caller.
     */
    @Override
    @SuppressWarnings("deprecation") // RequestConfig's connect timeout: still honoured, and per probe
    public CompletableFuture<Integer> probe(HttpHost member, HealthCheckPolicy policy, URIAuthority serviceAuthority) {
        final Timeout timeout = Timeout.of(policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        final HttpGet request = new HttpGet(policy.path());
        request.setAuthority(serviceAuthority);
        request.setConfig(RequestConfig.custom()
                .setConnectTimeout(timeout)
                .setResponseTimeout(timeout)
                .setConnectionRequestTimeout(timeout)
                .build());
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        result.whenComplete((status, failure) -> {
            if (result.isCancelled()) {
                request.cancel();
            }
        });
        try {
            executor.execute(() -> {
                if (result.isDone()) {
                    return; // cancelled (timed out, closed) before it started
                }
                try {
                    result.complete(client.execute(member, request, response -> {
                        EntityUtils.consume(response.getEntity());
                        return response.getCode();
                    }));
                } catch (Exception e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) { // closed
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        // closes the connections too, pooled and leased, which ends probes blocked reading them
        client.close(CloseMode.IMMEDIATE);
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
