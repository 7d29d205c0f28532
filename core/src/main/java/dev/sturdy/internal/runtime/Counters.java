package dev.sturdy.internal.runtime;

import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceMetrics;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One client's counters, per client and per endpoint. The per-endpoint map is bounded by
 * {@link #MAX_TRACKED_ENDPOINTS}: when it is full, the least recently used endpoints are evicted.
 * Endpoint keys are any object whose {@code toString()} is {@code scheme://host:port} (HttpClient's
 * {@code HttpHost}), so counting does not build strings on the request path.
 *
 * <p>The endpoint resolved last is remembered: a client that talks to one endpoint (the common case)
 * finds its record with an {@code equals} on the key instead of a hash-map look-up that recomputes the
 * key's hash on every count. The field is written only when the endpoint changes, and without a fence
 * (a record is safely published through its final fields), so threads on the same endpoint share it
 * read-only.
 *
 * <p>A count for an endpoint goes to the endpoint's counter only (one atomic update per count, not
 * two); the client's figure is the sum of its own counter (counts without an endpoint, plus what
 * evicted endpoints had counted, folded in when they are evicted) and every tracked endpoint's. Reading
 * is therefore O(tracked endpoints), which only metrics readers pay.
 */
public final class Counters implements ResilienceMetrics {

    /** How many endpoints keep their own counters at most. */
    public static final int MAX_TRACKED_ENDPOINTS = 1024;

    private static final ResilienceCounter[] ALL = ResilienceCounter.values();
    private static final long TOUCH_NANOS = 1_000_000L;

    /** Counts without an endpoint, plus the counts of evicted endpoints. */
    private final LongAdder[] client = newAdders();
    private final ConcurrentHashMap<Object, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Ticker ticker;
    /** The endpoint resolved last (benign data race: any record read here is complete). */
    private Endpoint last;

    /** @param ticker time source for the least-recently-used eviction */
    public Counters(Ticker ticker) {
        this.ticker = ticker;
    }

    private static LongAdder[] newAdders() {
        final LongAdder[] adders = new LongAdder[ALL.length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /**
     * Adds one to a counter of the client and of the endpoint.
     *
     * @param counter  which counter
     * @param endpoint the endpoint key, or null to count for the client only
     */
    public void increment(ResilienceCounter counter, Object endpoint) {
        if (endpoint != null) {
            endpoint(endpoint, ticker.nanoTime()).adders[counter.ordinal()].increment();
        } else {
            client[counter.ordinal()].increment();
        }
    }

    /**
     * Adds one to a counter of the client and of the endpoint, with the caller's current time (saves a
     * clock read on the request path).
     *
     * @param counter  which counter
     * @param endpoint the endpoint key, or null to count for the client only
     * @param nowNanos the caller's {@link Ticker#nanoTime()}
     */
    public void increment(ResilienceCounter counter, Object endpoint, long nowNanos) {
        if (endpoint != null) {
            endpoint(endpoint, nowNanos).adders[counter.ordinal()].increment();
        } else {
            client[counter.ordinal()].increment();
        }
    }

    /**
     * Adds {@code delta} (may be negative, for gauges) to a counter of the client and of the endpoint.
     *
     * @param counter  which counter
     * @param endpoint the endpoint key, or null to count for the client only
     * @param delta    the amount
     */
    public void add(ResilienceCounter counter, Object endpoint, long delta) {
        if (endpoint != null) {
            endpoint(endpoint, ticker.nanoTime()).adders[counter.ordinal()].add(delta);
        } else {
            client[counter.ordinal()].add(delta);
        }
    }

    private Endpoint endpoint(Object key, long nowNanos) {
        Endpoint e = last;
        if (e == null || (e.key != key && !e.key.equals(key)) || e.evicted) {
            e = lookUp(key, nowNanos);
            last = e;
        }
        if (nowNanos - e.lastUsedNanos > TOUCH_NANOS) { // a shared write at most once per millisecond
            e.lastUsedNanos = nowNanos;
        }
        return e;
    }

    private Endpoint lookUp(Object key, long nowNanos) {
        Endpoint e = endpoints.get(key);
        if (e == null) {
            if (endpoints.size() >= MAX_TRACKED_ENDPOINTS) {
                evictLeastRecentlyUsed();
            }
            e = endpoints.computeIfAbsent(key, k -> new Endpoint(k, nowNanos));
        }
        return e;
    }

    private synchronized void evictLeastRecentlyUsed() { // one at a time: each evicted count is folded once
        // Drop the older half: one O(n) pass per MAX_TRACKED_ENDPOINTS / 2 new endpoints.
        final long[] times = endpoints.values().stream().mapToLong(e -> e.lastUsedNanos).sorted().toArray();
        if (times.length == 0) {
            return;
        }
        final long cutoff = times[times.length / 2];
        // an ejected endpoint gets no traffic, so it looks idle; its ejections_active gauge must survive
        final int gauge = ResilienceCounter.EJECTIONS_ACTIVE.ordinal();
        endpoints.values().removeIf(e -> {
            if (e.lastUsedNanos - cutoff <= 0 && e.adders[gauge].sum() == 0) {
                e.evicted = true; // the remembered last endpoint must not keep counting into a dropped record
                for (int i = 0; i < ALL.length; i++) { // the client's figures keep what it counted
                    client[i].add(e.adders[i].sum());
                }
                return true;
            }
            return false;
        });
    }

    @Override
    public long get(ResilienceCounter counter) {
        final int i = counter.ordinal();
        long sum = client[i].sum();
        for (Endpoint e : endpoints.values()) {
            sum += e.adders[i].sum();
        }
        return sum;
    }

    @Override
    public Map<ResilienceCounter, Long> snapshot() {
        final Map<ResilienceCounter, Long> map = new EnumMap<>(ResilienceCounter.class);
        for (ResilienceCounter c : ALL) {
            map.put(c, get(c));
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public Set<String> endpoints() {
        final Set<String> names = new TreeSet<>();
        for (Endpoint e : endpoints.values()) {
            names.add(e.name);
        }
        return Collections.unmodifiableSet(names);
    }

    @Override
    public long get(String endpoint, ResilienceCounter counter) {
        for (Endpoint e : endpoints.values()) {
            if (e.name.equals(endpoint)) {
                return e.adders[counter.ordinal()].sum();
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("ResilienceMetrics{");
        for (ResilienceCounter c : ALL) {
            if (c.ordinal() > 0) {
                sb.append(", ");
            }
            sb.append(c.statName()).append('=').append(get(c));
        }
        return sb.append('}').toString();
    }

    private static final class Endpoint {
        final Object key;
        final String name;
        final LongAdder[] adders = newAdders();
        volatile long lastUsedNanos;
        volatile boolean evicted;

        Endpoint(Object key, long nowNanos) {
            this.key = key;
            this.name = key.toString();
            this.lastUsedNanos = nowNanos;
        }
    }
}
