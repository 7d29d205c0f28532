package dev.sturdy.httpclient5.internal;

import dev.sturdy.EndpointGroup;
import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.internal.ejection.EndpointSelector;
import dev.sturdy.internal.ejection.HealthChecker;
import dev.sturdy.internal.ejection.OutlierDetector;
import dev.sturdy.internal.runtime.Counters;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * One client's endpoints: the outlier detector (per-endpoint ejection state), the endpoint groups
 * keyed by their service authority, and the active health checks of the groups that have one. One
 * daemon thread per client ({@code sturdy-endpoints-N}, started with the first call) runs the sweep
 * that restores ejected endpoints every {@code interval} and schedules the health probes, which a
 * small asynchronous HttpClient of their own sends (no retries, one I/O thread). Everything stops when
 * the client closes.
 */
final class Endpoints implements AutoCloseable {

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** Null when the policy has no circuit breaker and the client no endpoint group. */
    final OutlierDetector detector;
    private final Map<HttpHost, EndpointSelector> groups;
    private final List<HealthChecker> checkers = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final CloseableHttpAsyncClient probeClient;
    private final List<EndpointGroup> healthGroups;
    private final dev.sturdy.internal.runtime.Ticker ticker;
    private volatile boolean started;
    private boolean closed;

    Endpoints(ResiliencePolicy policy, List<EndpointGroup> groupList, Seams seams, Counters counters) {
        if (policy.circuitBreaker().isEmpty() && groupList.isEmpty()) {
            detector = null;
            groups = Map.of();
            scheduler = null;
            probeClient = null;
            healthGroups = List.of();
            ticker = seams.ticker();
            return;
        }
        detector = new OutlierDetector(policy.circuitBreaker(), seams.ticker(), counters, policy.listener());
        final Map<HttpHost, EndpointSelector> byService = new HashMap<>();
        boolean healthChecks = false;
        for (EndpointGroup group : groupList) {
            final List<HttpHost> keys = new ArrayList<>();
            for (URI member : group.members()) {
                keys.add(host(member));
            }
            final EndpointSelector selector = detector.group(group, keys);
            if (byService.putIfAbsent(host(group.service()), selector) != null) {
                throw new IllegalArgumentException("endpointGroup: " + group.service()
                        + " (expected: one group per service)");
            }
            healthChecks |= group.healthCheck().isPresent();
        }
        groups = Map.copyOf(byService);
        this.ticker = seams.ticker();
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            final Thread t = new Thread(r, "sturdy-endpoints-" + THREAD_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        scheduler = executor;
        this.healthGroups = healthChecks ? groupList : List.of();
        if (!healthChecks) {
            probeClient = null;
            return;
        }
        probeClient = HttpAsyncClients.custom()
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1)
                        .setSelectInterval(org.apache.hc.core5.util.TimeValue.ofMilliseconds(50)).build())
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5)).build())
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
    }

    /**
     * Starts the background work on first use (so a client that is never used starts no thread): the
     * sweep that restores ejected endpoints every {@code interval} even without traffic, and the health
     * checks. Cheap to call on every attempt.
     */
    void start() {
        if (started || detector == null) {
            return;
        }
        synchronized (this) {
            if (started || closed) {
                return;
            }
            started = true;
            final long interval = detector.intervalNanos();
            scheduler.scheduleAtFixedRate(() -> detector.sweep(ticker.nanoTime()), interval, interval,
                    TimeUnit.NANOSECONDS);
            if (probeClient != null) {
                probeClient.start();
                for (EndpointGroup group : healthGroups) {
                    group.healthCheck().ifPresent(hc -> checkers.add(new HealthChecker(detector,
                            groups.get(host(group.service())), hc, this::probe, scheduler)));
                }
                checkers.forEach(HealthChecker::start);
            }
        }
    }

    static HttpHost host(URI uri) {
        return new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort());
    }

    /** @return the group whose service is this target, or null */
    EndpointSelector group(HttpHost target) {
        return groups.isEmpty() ? null : groups.get(target);
    }

    private CompletableFuture<Integer> probe(Object member, HealthCheckPolicy policy) {
        final HttpHost host = (HttpHost) member;
        final Timeout timeout = Timeout.of(policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        final SimpleHttpRequest request = SimpleRequestBuilder.get()
                .setHttpHost(host)
                .setPath(policy.path())
                .setRequestConfig(RequestConfig.custom().setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout).build())
                .build();
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        final Future<SimpleHttpResponse> exchange = probeClient.execute(request, new FutureCallback<>() {
            @Override
            public void completed(SimpleHttpResponse response) {
                result.complete(response.getCode());
            }

            @Override
            public void failed(Exception ex) {
                result.completeExceptionally(ex);
            }

            @Override
            public void cancelled() {
                result.cancel(false);
            }
        });
        result.whenComplete((status, failure) -> {
            if (result.isCancelled()) {
                exchange.cancel(true);
            }
        });
        return result;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        checkers.forEach(HealthChecker::close);
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (probeClient != null) {
            probeClient.close(CloseMode.IMMEDIATE);
            try {
                probeClient.awaitShutdown(org.apache.hc.core5.util.TimeValue.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
