package dev.sturdy.internal.ejection;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.EndpointGroup;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.runtime.Counters;
import dev.sturdy.internal.runtime.Ticker;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outlier ejection per endpoint for one client (SPEC 4, Envoy's outlier detection with a half-open
 * probation). One instance per client; it holds a bounded map from endpoint key to
 * {@link EndpointState}. Keys are opaque objects with value equality whose {@code toString()} is
 * {@code scheme://host:port} (HttpClient's {@code HttpHost}, or a {@link URI}), as for {@link Counters}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Errors ({@link ErrorKind}) count; any other outcome reported through {@link #onSuccess} resets
 *       the count. An endpoint is ejected <b>at once</b> when its count reaches {@code consecutiveErrors}.</li>
 *   <li>The k-th ejection lasts {@code min(k * baseEjectionTime, maxEjectionTime)}; k stops growing once
 *       {@code k * base} reaches the cap (as Envoy), so a long outage is not remembered for ever.</li>
 *   <li>When the ejection ends the endpoint is admitted on probation: while {@code k > 0} a single error
 *       ejects it again for {@code (k + 1) * base}. k drops by one for each full {@code interval} the
 *       endpoint stays admitted without an error (counted from the end of its ejection or its last
 *       error), down to 0; then it takes {@code consecutiveErrors} errors again.</li>
 *   <li>An ejection that is refused by {@code maxEjectionPercent} leaves the count where it is, so the
 *       next error tries again.</li>
 *   <li>Outcomes of attempts that were started before an ejection and end during it are ignored.</li>
 *   <li>Health checks ({@link HealthChecker}) eject too, until a probe passes; a passing probe also ends
 *       an error ejection early (Envoy's {@code successful_active_health_check_uneject_host}) without
 *       lowering k. {@code maxEjectionPercent} caps both kinds together, so "at most this share of a
 *       group is ejected" holds whatever the reason (Envoy caps only outlier ejections and has a panic
 *       threshold for health-check failures instead).</li>
 * </ul>
 *
 * <h2>Time and threads</h2>
 * Restoring needs no timer: {@link #isEjected(EndpointState, long)} notices an ejection whose time has
 * passed and restores it on the spot (once, under the lock), so the request path is correct without any
 * sweep. {@link #sweep(long)} (run every {@code interval} by the adapter's scheduler, or lazily through
 * {@link #sweepIfDue(long)}) restores ejections nobody asked about, so events, logs and the
 * {@code ejections_active} gauge stay timely, lowers k and evicts idle endpoints. The success path
 * ({@link #isEjected(EndpointState, long)} then {@link #onSuccess(EndpointState)}) reads two volatile
 * fields, takes no lock and allocates nothing.
 *
 * <h2>Bounded memory</h2>
 * At most {@code maxEndpoints} lone endpoints are tracked (default {@value #DEFAULT_MAX_ENDPOINTS}): when
 * the map is full the least recently used quarter of the endpoints that are not ejected is evicted. An
 * endpoint unused for {@value #IDLE_INTERVALS} intervals, not ejected and with k back at 0, is evicted
 * by the sweep. Group members are pinned (never evicted). If every tracked endpoint is ejected, a new
 * endpoint is served untracked (never ejected) and a warning is logged once.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class OutlierDetector {

    /** Default bound on the number of tracked endpoints: {@value}. */
    public static final int DEFAULT_MAX_ENDPOINTS = 4096;
    /** Intervals without use after which a lone, admitted endpoint with k = 0 is evicted by the sweep: {@value}. */
    public static final int IDLE_INTERVALS = 6;
    /** How stale a last-used time may get before the request path refreshes it (one write per millisecond at most). */
    static final long TOUCH_NANOS = 1_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(OutlierDetector.class);

    private final boolean passive;
    private final int consecutiveErrors;
    private final boolean gatewayErrorsOnly;
    private final long intervalNanos;
    private final long baseEjectionNanos;
    private final long maxEjectionNanos;
    private final int maxK;
    private final int maxEjectionPercent;
    private final Ticker ticker;
    private final Counters counters;
    private final ResilienceListener listener;
    private final int maxEndpoints;
    private final ConcurrentHashMap<Object, EndpointState> states = new ConcurrentHashMap<>();
    private final Object insertLock = new Object();
    private final AtomicLong nextSweepNanos;
    private final AtomicBoolean untrackedWarned = new AtomicBoolean();

    /**
     * Creates the detector of one client, tracking at most {@value #DEFAULT_MAX_ENDPOINTS} endpoints.
     *
     * @param policy   the client's circuit breaker; empty turns passive (error-driven) ejection off, so
     *                 only health checks eject and any share of a group may be health-ejected
     * @param ticker   time source
     * @param counters the client's counters ({@code ejections_total}, {@code ejections_active})
     * @param listener receives ejected and restored events
     */
    public OutlierDetector(Optional<CircuitBreakerPolicy> policy, Ticker ticker, Counters counters,
            ResilienceListener listener) {
        this(policy, ticker, counters, listener, DEFAULT_MAX_ENDPOINTS);
    }

    /**
     * Creates the detector of one client.
     *
     * @param policy       the client's circuit breaker; empty turns passive ejection off
     * @param ticker       time source
     * @param counters     the client's counters
     * @param listener     receives ejected and restored events
     * @param maxEndpoints bound on tracked lone endpoints, {@code >= 1}
     */
    public OutlierDetector(Optional<CircuitBreakerPolicy> policy, Ticker ticker, Counters counters,
            ResilienceListener listener, int maxEndpoints) {
        if (maxEndpoints < 1) {
            throw new IllegalArgumentException("maxEndpoints: " + maxEndpoints + " (expected: >= 1)");
        }
        final CircuitBreakerPolicy p = policy.orElse(CircuitBreakerPolicy.defaults());
        this.passive = policy.isPresent();
        this.consecutiveErrors = p.consecutiveErrors();
        this.gatewayErrorsOnly = p.gatewayErrorsOnly();
        this.intervalNanos = p.interval().toNanos();
        this.baseEjectionNanos = p.baseEjectionTime().toNanos();
        this.maxEjectionNanos = p.maxEjectionTime().toNanos();
        this.maxK = (int) Math.min(Integer.MAX_VALUE - 1L,
                (maxEjectionNanos + baseEjectionNanos - 1) / baseEjectionNanos);
        this.maxEjectionPercent = passive ? p.maxEjectionPercent() : 100;
        this.ticker = ticker;
        this.counters = counters;
        this.listener = listener;
        this.maxEndpoints = maxEndpoints;
        this.nextSweepNanos = new AtomicLong(ticker.nanoTime() + intervalNanos);
    }

    /** @return true when errors of real requests eject (a circuit breaker policy is set) */
    public boolean passiveEjection() {
        return passive;
    }

    /** @return the sweep period in nanoseconds: the policy's {@code interval} (10 s without a policy) */
    public long intervalNanos() {
        return intervalNanos;
    }

    // ---------------------------------------------------------------------------------------------
    // Endpoints and groups

    /**
     * Returns the state of an endpoint, tracking it from now on if it is new. Lock-free for a known
     * endpoint; a new one takes a short lock (and may evict idle endpoints).
     *
     * @param key the endpoint; {@code toString()} is {@code scheme://host:port}
     * @return its state (a group member's pinned state if the key is a member of a group)
     */
    public EndpointState endpoint(Object key) {
        final EndpointState s = states.get(key);
        return s != null ? s : insert(key);
    }

    private EndpointState insert(Object key) {
        final long now = ticker.nanoTime();
        synchronized (insertLock) {
            EndpointState s = states.get(key);
            if (s != null) {
                return s;
            }
            s = new EndpointState(key, null, -1, now);
            if (states.size() >= maxEndpoints && !makeRoom(1)) {
                if (untrackedWarned.compareAndSet(false, true)) {
                    LOG.warn("all {} tracked endpoints are ejected or pinned; new endpoints such as {} are not "
                            + "tracked for ejection until some are restored", states.size(), s.name);
                }
                s.evicted = true; // never ejected, never stored
                return s;
            }
            states.put(key, s);
            return s;
        }
    }

    /** Evicts the least recently used quarter of the evictable endpoints; under insertLock. */
    private boolean makeRoom(int needed) {
        final List<EndpointState> candidates = new ArrayList<>();
        for (EndpointState s : states.values()) {
            if (s.group == null && s.flags == 0) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        final long[] used = new long[candidates.size()];
        for (int i = 0; i < used.length; i++) {
            used[i] = candidates.get(i).lastUsedNanos; // a snapshot: the values move while we sort
        }
        final long[] sorted = used.clone();
        Arrays.sort(sorted);
        final int target = Math.min(used.length, Math.max(needed, used.length / 4));
        final long cutoff = sorted[target - 1];
        int evicted = 0;
        for (int i = 0; i < used.length && evicted < target; i++) {
            if (used[i] <= cutoff && evict(candidates.get(i))) {
                evicted++;
            }
        }
        return evicted >= needed || states.size() + needed <= maxEndpoints;
    }

    private boolean evict(EndpointState s) {
        synchronized (s.lock()) {
            if (s.flags != 0 || s.evicted) {
                return false;
            }
            s.evicted = true;
        }
        states.remove(s.key, s);
        return true;
    }

    /**
     * Registers an endpoint group with the member URIs themselves as keys.
     *
     * @param group the group
     * @return its selector
     * @see #group(EndpointGroup, List)
     */
    public EndpointSelector group(EndpointGroup group) {
        return group(group, group.members());
    }

    /**
     * Registers an endpoint group: its members get pinned states (never evicted) whose ejections are capped
     * by {@code maxEjectionPercent} of the group. A member endpoint already tracked alone is replaced
     * (its ejection, if any, ends). An endpoint may be a member of one group per detector.
     *
     * @param group      the group
     * @param memberKeys one key per member of {@link EndpointGroup#members()}, same order (e.g. the
     *                   adapter's {@code HttpHost} of each member)
     * @return the group's selector
     * @throws IllegalArgumentException if the key count differs from the member count, two keys are equal,
     *                                  or a key already belongs to another group
     */
    public EndpointSelector group(EndpointGroup group, List<?> memberKeys) {
        final int n = group.members().size();
        if (memberKeys.size() != n) {
            throw new IllegalArgumentException("memberKeys: " + memberKeys.size() + " keys (expected: one per member, "
                    + n + ")");
        }
        if (new HashSet<>(memberKeys).size() != n) {
            throw new IllegalArgumentException("memberKeys: " + memberKeys + " (expected: distinct keys)");
        }
        final int maxEjected = Math.max(1, (int) ((long) maxEjectionPercent * n / 100));
        final EndpointSelector selector = new EndpointSelector(this, group, memberKeys, maxEjected, ticker.nanoTime());
        synchronized (insertLock) {
            for (Object key : memberKeys) {
                final EndpointState existing = states.get(key);
                if (existing != null && existing.group != null) {
                    throw new IllegalArgumentException("memberKeys: " + key + " (expected: not already a member of "
                            + existing.group.name() + ")");
                }
            }
            final int room = maxEndpoints - states.size();
            if (room < n) {
                makeRoom(n - room); // members are tracked even if the bound cannot be kept
            }
            for (int i = 0; i < n; i++) {
                final EndpointState replaced = states.put(memberKeys.get(i), selector.member(i));
                if (replaced != null) {
                    retire(replaced);
                }
            }
        }
        return selector;
    }

    private void retire(EndpointState s) {
        final boolean wasEjected;
        synchronized (s.lock()) {
            wasEjected = s.flags != 0;
            s.flags = 0;
            s.evicted = true;
        }
        if (wasEjected) {
            counters.add(ResilienceCounter.EJECTIONS_ACTIVE, s.key, -1);
        }
    }

    /** @return true if the endpoint is tracked now (for tests; never inserts) */
    boolean tracks(Object key) {
        return states.containsKey(key);
    }

    /** @return how many endpoints are tracked now (lone endpoints and group members) */
    public int size() {
        return states.size();
    }

    // ---------------------------------------------------------------------------------------------
    // The request path

    /**
     * Whether {@link #isEjected(EndpointState, long)} could answer true, without a clock: false means the
     * endpoint is admitted whatever the time, so a caller may pass a recent rather than an exact time.
     *
     * @param s the endpoint
     * @return true while the endpoint carries an ejection (possibly one whose time has passed)
     */
    public boolean mayBeEjected(EndpointState s) {
        return s.flagged();
    }

    /**
     * Tells whether an endpoint gets no traffic now. An ejection whose time has passed is restored here
     * (once), with its event and log. No lock and no allocation unless the endpoint is ejected.
     *
     * @param s        the endpoint
     * @param nowNanos {@link Ticker#nanoTime()} now
     * @return true while ejected
     */
    public boolean isEjected(EndpointState s, long nowNanos) {
        if (s.group == null && nowNanos - s.lastUsedNanos >= TOUCH_NANOS) {
            s.lastUsedNanos = nowNanos;
        }
        int f = s.flags;
        if (f == 0) {
            return false;
        }
        if ((f & EndpointState.HEALTH) != 0 || nowNanos - s.ejectedUntilNanos < 0) {
            return true;
        }
        final Transition t;
        synchronized (s.lock()) {
            t = timedRestoreLocked(s, nowNanos);
        }
        publish(t);
        f = s.flags;
        return f != 0 && ((f & EndpointState.HEALTH) != 0 || nowNanos - s.ejectedUntilNanos < 0);
    }

    /**
     * Tells whether an endpoint is ejected, without tracking it if it is unknown.
     *
     * @param key      the endpoint
     * @param nowNanos {@link Ticker#nanoTime()} now
     * @return true while ejected; false for an unknown endpoint
     */
    public boolean isEjected(Object key, long nowNanos) {
        final EndpointState s = states.get(key);
        return s != null && isEjected(s, nowNanos);
    }

    /**
     * Returns when an ejected endpoint will be tried again: the end of its ejection, or for a
     * health-check ejection the time its next probe is due.
     *
     * @param s        the endpoint
     * @param nowNanos {@link Ticker#nanoTime()} now
     * @return a {@link Ticker#nanoTime()} value; {@code nowNanos} when the endpoint is admitted
     */
    public long retryAtNanos(EndpointState s, long nowNanos) {
        if (s.flags == 0) {
            return nowNanos;
        }
        final long until = s.ejectedUntilNanos;
        return until - nowNanos > 0 ? until : nowNanos;
    }

    /**
     * Records a success: any outcome that is not an error (2xx, 3xx, 4xx, a 5xx other than 502-504
     * with {@code gatewayErrorsOnly}). Resets the consecutive error count; k is left to time. No lock,
     * no allocation; writes only if there was a count to reset.
     *
     * @param s the endpoint the attempt went to
     */
    public void onSuccess(EndpointState s) {
        if (s.consecutiveErrors != 0) {
            s.consecutiveErrors = 0;
        }
    }

    /**
     * Records a success for an endpoint key; does nothing for an untracked key.
     *
     * @param key the endpoint
     */
    public void onSuccess(Object key) {
        final EndpointState s = states.get(key);
        if (s != null) {
            onSuccess(s);
        }
    }

    /**
     * Records a response: a 5xx counts as an error, any other status as a success.
     *
     * @param s      the endpoint the attempt went to
     * @param status the response status
     */
    public void onResponse(EndpointState s, int status) {
        if (ErrorKind.isError(status)) {
            onError(s, ErrorKind.ofStatus(status));
        } else {
            onSuccess(s);
        }
    }

    /**
     * Records an attempt that ended without a response. Connect failures, TLS failures, resets, refused
     * streams and per-try timeouts count as local-origin errors; a cancellation, the overall deadline, a
     * local rejection (overflow) and unclassified failures say nothing about the endpoint and are ignored.
     *
     * @param s       the endpoint the attempt went to
     * @param failure how the attempt failed
     */
    public void onFailure(EndpointState s, FailureClass failure) {
        switch (failure) {
            case CONNECT_FAILURE:
            case TLS_FAILURE:
            case RESET:
            case REFUSED_STREAM:
            case PER_TRY_TIMEOUT:
                onError(s, ErrorKind.LOCAL_ORIGIN);
                break;
            default:
                break;
        }
    }

    /**
     * Records an error for an endpoint key, tracking the endpoint if it is new.
     *
     * @param key  the endpoint
     * @param kind the kind of error
     */
    public void onError(Object key, ErrorKind kind) {
        onError(endpoint(key), kind);
    }

    /**
     * Records an error: may eject the endpoint at once (on reaching {@code consecutiveErrors}, or on the
     * first error while on probation). Takes the endpoint's lock (its group's, for a member).
     *
     * @param s    the endpoint the attempt went to
     * @param kind the kind of error
     */
    public void onError(EndpointState s, ErrorKind kind) {
        if (!passive) {
            return;
        }
        if (kind == ErrorKind.SERVER_ERROR && gatewayErrorsOnly) {
            onSuccess(s);
            return;
        }
        final long now = ticker.nanoTime();
        final List<Transition> out = new ArrayList<>(2);
        synchronized (s.lock()) {
            final int f = s.flags;
            if (f != 0) {
                if (f != EndpointState.OUTLIER || now - s.ejectedUntilNanos < 0) {
                    return; // an attempt started before the ejection: says nothing new
                }
                out.add(restoreLocked(s, now, s.ejectedUntilNanos, EndpointRestoredEvent.EJECTION_ENDED));
            }
            final int k = s.decayK(now, intervalNanos);
            final int count = s.consecutiveErrors == Integer.MAX_VALUE ? Integer.MAX_VALUE : s.consecutiveErrors + 1;
            s.consecutiveErrors = count;
            if (k > 0 || count >= consecutiveErrors) {
                final EjectionReason reason = count >= consecutiveErrors
                        ? EjectionReason.CONSECUTIVE_ERRORS : EjectionReason.ERROR_ON_PROBATION;
                if (!s.evicted && roomInGroupLocked(s, now, out)) {
                    final int nextK = Math.min(k + 1, maxK);
                    final long duration = ejectionNanos(nextK);
                    s.k = nextK;
                    s.ejectedAtNanos = now;
                    s.ejectedUntilNanos = now + duration;
                    s.reason = reason;
                    s.reasonCount = count;
                    s.consecutiveErrors = 0;
                    s.ejectionSeq++;
                    s.flags = EndpointState.OUTLIER;
                    out.add(Transition.ejected(s, reason, count, nextK, duration, now, now + duration));
                } else {
                    if (k > 0) {
                        s.kSinceNanos = now; // an error: the clean interval starts again
                    }
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("not ejecting {} after {}: {}", s.name, reason.describe(count), s.evicted
                                ? "not tracked" : s.group.maxEjected + " of " + s.group.name() + " already ejected");
                    }
                }
            }
        }
        publishAll(out);
    }

    /** k x base, capped; k <= maxK so k x base <= max + base cannot overflow unless base is absurd. */
    long ejectionNanos(int k) {
        if (k > maxEjectionNanos / baseEjectionNanos) {
            return maxEjectionNanos;
        }
        return Math.min(maxEjectionNanos, k * baseEjectionNanos);
    }

    /** Under s.lock(): restores expired members of s's group and tells whether one more may be ejected. */
    private boolean roomInGroupLocked(EndpointState s, long now, List<Transition> out) {
        final EndpointSelector g = s.group;
        if (g == null) {
            return true; // a lone endpoint is a group of one: at least one may always be ejected
        }
        int ejected = 0;
        for (int i = 0; i < g.size(); i++) {
            final EndpointState m = g.member(i);
            if (m.flags != 0) {
                final Transition t = timedRestoreLocked(m, now);
                if (t != null) {
                    out.add(t);
                } else {
                    ejected++;
                }
            }
        }
        return ejected < g.maxEjected;
    }

    private Transition timedRestoreLocked(EndpointState s, long now) {
        if (s.flags == EndpointState.OUTLIER && now - s.ejectedUntilNanos >= 0) {
            return restoreLocked(s, now, s.ejectedUntilNanos, EndpointRestoredEvent.EJECTION_ENDED);
        }
        return null;
    }

    private Transition restoreLocked(EndpointState s, long now, long admittedSince, String reason) {
        s.flags = 0;
        s.consecutiveErrors = 0;
        s.kSinceNanos = admittedSince; // k decays only while admitted
        return Transition.restored(s, reason, Math.max(0, admittedSince - s.ejectedAtNanos), now);
    }

    // ---------------------------------------------------------------------------------------------
    // Health checks (called by HealthChecker)

    /** unhealthyThreshold probes failed in a row: eject until a probe passes (if the group has room). */
    void healthCheckFailed(EndpointState s, int failures, long nextProbeNanos) {
        final long now = ticker.nanoTime();
        final List<Transition> out = new ArrayList<>(2);
        synchronized (s.lock()) {
            int f = s.flags;
            if ((f & EndpointState.HEALTH) != 0) {
                s.reasonCount = failures;
                s.ejectedUntilNanos = nextProbeNanos;
                return;
            }
            final Transition expired = timedRestoreLocked(s, now);
            if (expired != null) {
                out.add(expired);
                f = 0;
            }
            if (f != 0) {
                // Already ejected on errors: now it also waits for a passing probe. No new ejection.
                s.reason = EjectionReason.HEALTH_CHECK;
                s.reasonCount = failures;
                if (nextProbeNanos - s.ejectedUntilNanos > 0) {
                    s.ejectedUntilNanos = nextProbeNanos;
                }
                s.flags = f | EndpointState.HEALTH;
            } else if (!s.evicted && roomInGroupLocked(s, now, out)) {
                s.ejectedAtNanos = now;
                s.ejectedUntilNanos = nextProbeNanos;
                s.reason = EjectionReason.HEALTH_CHECK;
                s.reasonCount = failures;
                s.consecutiveErrors = 0;
                s.ejectionSeq++;
                s.flags = EndpointState.HEALTH;
                out.add(Transition.ejected(s, EjectionReason.HEALTH_CHECK, failures, s.k, nextProbeNanos - now, now,
                        nextProbeNanos));
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("not ejecting {} after {}: {}", s.name, EjectionReason.HEALTH_CHECK.describe(failures),
                        s.evicted ? "not tracked" : s.group.maxEjected + " of " + s.group.name() + " already ejected");
            }
        }
        publishAll(out);
    }

    /** healthyThreshold probes passed in a row since the last ejection: end any ejection. */
    void healthCheckPassed(EndpointState s) {
        final long now = ticker.nanoTime();
        final Transition t;
        synchronized (s.lock()) {
            if (s.flags == 0) {
                return;
            }
            t = restoreLocked(s, now, now, EndpointRestoredEvent.HEALTH_CHECK_PASSED);
        }
        publish(t);
    }

    Ticker ticker() {
        return ticker;
    }

    // ---------------------------------------------------------------------------------------------
    // Sweep

    /**
     * Runs the sweep if an interval has passed since the last one: cheap enough for the request path
     * (one volatile read when not due). At most one thread sweeps at a time.
     *
     * @param nowNanos {@link Ticker#nanoTime()} now
     * @return true if this call swept
     */
    public boolean sweepIfDue(long nowNanos) {
        final long due = nextSweepNanos.get();
        if (nowNanos - due < 0 || !nextSweepNanos.compareAndSet(due, nowNanos + intervalNanos)) {
            return false;
        }
        sweep(nowNanos);
        return true;
    }

    /**
     * Restores every ejection whose time has passed (events, INFO logs, gauge), lowers k of admitted
     * endpoints, and evicts lone endpoints idle for {@value #IDLE_INTERVALS} intervals that are admitted
     * with k = 0. O(tracked endpoints); meant to run every {@code interval}.
     *
     * @param nowNanos {@link Ticker#nanoTime()} now
     */
    public void sweep(long nowNanos) {
        nextSweepNanos.set(nowNanos + intervalNanos);
        final long idleNanos = IDLE_INTERVALS * intervalNanos;
        final List<Transition> out = new ArrayList<>();
        final List<EndpointState> idle = new ArrayList<>();
        for (EndpointState s : states.values()) {
            synchronized (s.lock()) {
                final Transition t = timedRestoreLocked(s, nowNanos);
                if (t != null) {
                    out.add(t);
                }
                if (s.flags == 0) {
                    s.decayK(nowNanos, intervalNanos);
                    if (s.group == null && !s.evicted && s.k == 0 && nowNanos - s.lastUsedNanos >= idleNanos) {
                        s.evicted = true;
                        idle.add(s);
                    }
                }
            }
        }
        for (EndpointState s : idle) {
            states.remove(s.key, s);
        }
        publishAll(out);
    }

    // ---------------------------------------------------------------------------------------------
    // Fail-fast exceptions

    /**
     * Builds the exception for a call whose lone endpoint is ejected, e.g.
     * {@code http://127.0.0.1:8081 is ejected until 2026-11-23T12:00:30Z (5 consecutive errors)}.
     *
     * @param s        the ejected endpoint
     * @param nowNanos {@link Ticker#nanoTime()} now
     * @return a stackless exception to throw
     */
    public EndpointEjectedException ejectedException(EndpointState s, long nowNanos) {
        final long nowMillis = ticker.epochMillis();
        final Instant at = wallClock(retryAtNanos(s, nowNanos), nowNanos, nowMillis);
        return new EndpointEjectedException(s.name, List.of(s.name), at, s.name + " is ejected " + until(s, at));
    }

    /** The group selector's variant; see {@link EndpointSelector#ejectedException(long)}. */
    EndpointEjectedException groupEjectedException(EndpointSelector g, long nowNanos) {
        final long nowMillis = ticker.epochMillis();
        final String service = g.name();
        if (g.size() == 1) {
            final EndpointState m = g.member(0);
            final Instant at = wallClock(retryAtNanos(m, nowNanos), nowNanos, nowMillis);
            return new EndpointEjectedException(service, List.of(m.name), at,
                    m.name + ", the only member of " + service + ", is ejected " + until(m, at));
        }
        final List<String> names = new ArrayList<>();
        final StringBuilder detail = new StringBuilder();
        long soonest = nowNanos;
        for (int i = 0; i < g.size(); i++) {
            final EndpointState m = g.member(i);
            if (m.flags == 0) {
                continue; // restored since the selection failed
            }
            final long at = retryAtNanos(m, nowNanos);
            if (names.isEmpty() || at - soonest < 0) {
                soonest = at;
            }
            if (names.size() < 8) {
                detail.append(names.isEmpty() ? "" : ", ").append(m.name).append(' ')
                        .append(until(m, wallClock(at, nowNanos, nowMillis)));
            }
            names.add(m.name);
        }
        if (names.size() > 8) {
            detail.append(", and ").append(names.size() - 8).append(" more");
        }
        return new EndpointEjectedException(service, names, wallClock(soonest, nowNanos, nowMillis),
                "all " + g.size() + " members of " + service + " are ejected: " + detail);
    }

    private static String until(EndpointState s, Instant at) {
        final EjectionReason reason = s.reason;
        final int count = s.reasonCount;
        if (reason == EjectionReason.HEALTH_CHECK && (s.flags & EndpointState.HEALTH) != 0) {
            return "until a health check passes, next at " + at + " (" + reason.describe(count) + ")";
        }
        return "until " + at + " (" + reason.describe(count) + ")";
    }

    /** A ticker time as a wall-clock instant, rounded up to the second (never earlier than the truth). */
    static Instant wallClock(long atNanos, long nowNanos, long nowMillis) {
        final Instant exact = Instant.ofEpochMilli(nowMillis).plusNanos(Math.max(0, atNanos - nowNanos));
        final Instant second = exact.truncatedTo(ChronoUnit.SECONDS);
        return second.equals(exact) ? second : second.plusSeconds(1);
    }

    // ---------------------------------------------------------------------------------------------
    // Events, logs, counters (outside the locks)

    private void publishAll(List<Transition> transitions) {
        for (Transition t : transitions) {
            publish(t);
        }
    }

    private void publish(Transition t) {
        if (t == null) {
            return;
        }
        final EndpointState s = t.state;
        final String group = s.group == null ? s.name : s.group.name();
        if (t.ejected) {
            counters.increment(ResilienceCounter.EJECTIONS_TOTAL, s.key);
            counters.add(ResilienceCounter.EJECTIONS_ACTIVE, s.key, 1);
            final Instant until = wallClock(t.untilNanos, ticker.nanoTime(), ticker.epochMillis());
            final Duration duration = Duration.ofNanos(t.durationNanos);
            if (LOG.isInfoEnabled()) {
                if (t.reason == EjectionReason.HEALTH_CHECK) {
                    LOG.info("ejected {} until a health check passes ({}); next probe at {}", who(s),
                            t.reason.describe(t.count), until);
                } else {
                    LOG.info("ejected {} for {} until {} ({}; ejection {})", who(s), duration, until,
                            t.reason.describe(t.count), t.k);
                }
            }
            if (listener != ResilienceListener.NONE) {
                final EndpointEjectedEvent event = new EndpointEjectedEvent(s.name, group, t.reason.token, t.count, t.k,
                        duration, until);
                safely(() -> listener.onEndpointEjected(event));
            }
        } else {
            counters.add(ResilienceCounter.EJECTIONS_ACTIVE, s.key, -1);
            final Duration ejectedFor = Duration.ofNanos(t.durationNanos);
            if (LOG.isInfoEnabled()) {
                LOG.info("restored {} after {} ({})", who(s), ejectedFor, t.restoreReason);
            }
            if (listener != ResilienceListener.NONE) {
                final EndpointRestoredEvent event =
                        new EndpointRestoredEvent(s.name, group, t.restoreReason, ejectedFor);
                safely(() -> listener.onEndpointRestored(event));
            }
        }
    }

    /** {@code scheme://host:port}, with its group's service for a member: never a path, query or user-info. */
    private static String who(EndpointState s) {
        return s.group == null ? s.name : s.name + " of " + s.group.name();
    }

    private void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("listener {} threw; ejection goes on unaffected", listener, e);
        }
    }

    /** One state change, published after the lock is released. */
    private static final class Transition {
        final boolean ejected;
        final EndpointState state;
        final EjectionReason reason;
        final String restoreReason;
        final int count;
        final int k;
        final long durationNanos;
        final long nowNanos;
        final long untilNanos;

        private Transition(boolean ejected, EndpointState state, EjectionReason reason, String restoreReason, int count,
                int k, long durationNanos, long nowNanos, long untilNanos) {
            this.ejected = ejected;
            this.state = state;
            this.reason = reason;
            this.restoreReason = restoreReason;
            this.count = count;
            this.k = k;
            this.durationNanos = durationNanos;
            this.nowNanos = nowNanos;
            this.untilNanos = untilNanos;
        }

        static Transition ejected(EndpointState s, EjectionReason reason, int count, int k, long durationNanos,
                long nowNanos, long untilNanos) {
            return new Transition(true, s, reason, null, count, k, durationNanos, nowNanos, untilNanos);
        }

        static Transition restored(EndpointState s, String reason, long ejectedForNanos, long nowNanos) {
            return new Transition(false, s, null, reason, 0, 0, ejectedForNanos, nowNanos, nowNanos);
        }
    }
}
