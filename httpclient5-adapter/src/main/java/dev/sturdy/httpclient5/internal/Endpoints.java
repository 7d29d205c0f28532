package dev.sturdy.httpclient5.internal;

import dev.sturdy.EndpointGroup;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.net.NamedEndpoint;
import org.apache.hc.core5.net.URIAuthority;

/**
 * One client's endpoints: the outlier detector (per-endpoint ejection state), the endpoint groups
 * keyed by their service authority, and the active health checks of the groups that have one. One
 * daemon thread per client ({@code sturdy-endpoints-N}, started with the first call) runs the sweep
 * that restores ejected endpoints every {@code interval} and schedules the health probes, which the
 * client's {@link ProbeTransport} sends (a classic or an async HttpClient of their own, connecting as the
 * client does). Everything stops when the client closes.
 */
final class Endpoints implements AutoCloseable {

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** Null when the policy has no circuit breaker and the client no endpoint group. */
    final OutlierDetector detector;
    private final Map<HttpHost, EndpointSelector> groups;
    private final List<HealthChecker> checkers = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    /** Null when no group has a health check. */
    private final ProbeTransport probes;
    private final List<EndpointGroup> healthGroups;
    private final dev.sturdy.internal.runtime.Ticker ticker;
    private volatile boolean started;
    private boolean closed;

    Endpoints(ResiliencePolicy policy, List<EndpointGroup> groupList, Seams seams, Counters counters,
              ProbeTransport.Factory probeFactory) {
        if (policy.circuitBreaker().isEmpty() && groupList.isEmpty()) {
            detector = null;
            groups = Map.of();
            scheduler = null;
            probes = null;
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
        probes = healthChecks ? probeFactory.create(probedMembers) : null;
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
            if (probes != null) {
                for (EndpointGroup group : healthGroups) {
                    final URI service = group.service();
                    final URIAuthority authority = new URIAuthority(service.getHost(), service.getPort());
                    group.healthCheck().ifPresent(hc -> checkers.add(new HealthChecker(detector,
                            groups.get(host(service)), hc, (member, p) -> probes.probe((HttpHost) member, p, authority),
                            scheduler)));
                }
                checkers.forEach(HealthChecker::start);
            }
        }
    }

    /**
     * The route of an attempt sent to a group member: the client's route with only its target replaced
     * (its proxy and local address kept; TLS when the member's scheme is https). Over TLS the server name
     * (SNI) and the name the certificate must carry are the service's, the name the request carries in
     * its {@code Host} header, as HttpClient's own route planner does when a request's authority differs
     * from the host it connects to; a member is only where to connect.
     */
    static HttpRoute memberRoute(HttpRoute route, HttpHost member) {
        final boolean secure = URIScheme.HTTPS.same(member.getSchemeName());
        final NamedEndpoint tlsName = secure ? tlsName(route, member) : null;
        return route.getProxyHost() == null
                ? new HttpRoute(member, tlsName, route.getLocalAddress(), secure)
                : new HttpRoute(member, tlsName, route.getLocalAddress(), route.getProxyHost(), secure);
    }

    /** @return the service's name for TLS to the member, or null when it is the member's own name */
    private static NamedEndpoint tlsName(HttpRoute route, HttpHost member) {
        final NamedEndpoint service = route.getTargetName() != null ? route.getTargetName() : route.getTargetHost();
        return service.getHostName().equalsIgnoreCase(member.getHostName()) ? null : service;
    }

    static HttpHost host(URI uri) {
        return new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort());
    }

    /** @return the group whose service is this target, or null */
    EndpointSelector group(HttpHost target) {
        return groups.isEmpty() ? null : groups.get(target);
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
        if (probes != null) {
            probes.close();
        }
    }
}
