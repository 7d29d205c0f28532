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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One client's endpoints: the outlier detector (per-endpoint ejection state), the endpoint groups
 * keyed by their service authority, and the active health checks of the groups that have one. One
 * daemon thread per client ({@code sturdy-endpoints-N}, started with the first call) runs the sweep
 * that restores ejected endpoints every {@code interval} and schedules the health probes. A small classic
 * HttpClient of their own sends them (no retries, no sturdy handlers) through a connection manager built
 * like the client's (its pool builder and the user's pool customizer: TLS strategy, DNS resolver, socket
 * config), on a bounded pool of daemon threads ({@code sturdy-probe-N}, one per probed member at most).
 * Everything stops when the client closes.
 */
final class Endpoints implements AutoCloseable {

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    private static final AtomicInteger PROBE_THREAD_IDS = new AtomicInteger();

    /** Null when the policy has no circuit breaker and the client no endpoint group. */
    final OutlierDetector detector;
    private final Map<HttpHost, EndpointSelector> groups;
    private final List<HealthChecker> checkers = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final CloseableHttpClient probeClient;
    /** Runs the blocking probes; at most one per member is in flight, so one thread per member. */
    private final ThreadPoolExecutor probeExecutor;
    private final List<EndpointGroup> healthGroups;
    private final dev.sturdy.internal.runtime.Ticker ticker;
    private volatile boolean started;
    private boolean closed;

    Endpoints(ResiliencePolicy policy, List<EndpointGroup> groupList, Seams seams, Counters counters,
              Consumer<PoolingHttpClientConnectionManagerBuilder> poolCustomizer) {
        if (policy.circuitBreaker().isEmpty() && groupList.isEmpty()) {
            detector = null;
            groups = Map.of();
            scheduler = null;
            probeClient = null;
            probeExecutor = null;
            healthGroups = List.of();
            ticker = seams.ticker();
            return;
        }
        detector = new OutlierDetector(policy.circuitBreaker(), seams.ticker(), counters, policy.listener());
        final Map<HttpHost, EndpointSelector> byService = new HashMap<>();
        boolean healthChecks = false;
        int probedMembers = 0;
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
            if (group.healthCheck().isPresent()) {
                healthChecks = true;
                probedMembers += keys.size();
            }
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
            probeExecutor = null;
            return;
        }
        // the client's own pool setup, so that probes connect as real calls do (TLS, DNS, sockets)
        final PoolingHttpClientConnectionManagerBuilder poolBuilder = ClassicInstaller.poolBuilder(policy);
        poolCustomizer.accept(poolBuilder);
        probeClient = HttpClients.custom()
                .setConnectionManager(poolBuilder.build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        final int threads = Math.max(1, probedMembers);
        probeExecutor = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    final Thread t = new Thread(r, "sturdy-probe-" + PROBE_THREAD_IDS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
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
                for (EndpointGroup group : healthGroups) {
                    final URI service = group.service();
                    final String authority = service.getPort() < 0 ? service.getHost()
                            : service.getHost() + ":" + service.getPort();
                    group.healthCheck().ifPresent(hc -> checkers.add(new HealthChecker(detector,
                            groups.get(host(service)), hc, (member, p) -> probe(member, p, authority),
                            scheduler)));
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

    /**
     * Sends {@code GET policy.path()} to the member with the group's service authority as its {@code Host}
     * header, as real calls to the member send it (a header rather than the request's authority, which
     * would become the TLS server name). Blocks a probe thread, never the caller; cancelling the returned
     * future aborts the request.
     */
    @SuppressWarnings("deprecation") // RequestConfig's connect timeout: still honoured, and per probe
    private CompletableFuture<Integer> probe(Object member, HealthCheckPolicy policy, String serviceAuthority) {
        final HttpHost host = (HttpHost) member;
        final Timeout timeout = Timeout.of(policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
        final HttpGet request = new HttpGet(policy.path());
        request.setHeader(HttpHeaders.HOST, serviceAuthority);
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
            probeExecutor.execute(() -> {
                if (result.isDone()) {
                    return; // cancelled (timed out, closed) before it started
                }
                try {
                    result.complete(probeClient.execute(host, request, response -> {
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
            probeExecutor.shutdownNow();
            // closes the connections too, pooled and leased, which ends probes blocked reading them
            probeClient.close(CloseMode.IMMEDIATE);
            try {
                probeExecutor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
