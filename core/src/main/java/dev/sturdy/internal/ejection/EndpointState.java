package dev.sturdy.internal.ejection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The ejection state of one endpoint within one client. Obtained from
 * {@link OutlierDetector#endpoint(Object)} (a lone endpoint) or {@link EndpointSelector#member(int)} (a
 * group member); every decision goes through the {@link OutlierDetector}.
 *
 * <p>Readers on the request path touch only volatile fields ({@code flags}, {@code consecutiveErrors});
 * every transition (error counted, ejection, restore, eviction) happens under {@link #lock()}: the
 * state itself for a lone endpoint, the group's selector for a group member, so the group's
 * ejected share is decided atomically.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class EndpointState {

    static final int OUTLIER = 1; // ejected on errors, until ejectedUntilNanos
    static final int HEALTH = 2;  // ejected by failed probes, until a probe passes

    private static final VarHandle OUTSTANDING;

    static {
        try {
            OUTSTANDING = MethodHandles.lookup().findVarHandle(EndpointState.class, "outstanding", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Object key;
    final String name;
    /** The group this endpoint is a member of, or null for a lone endpoint (a group of one). */
    final EndpointSelector group;
    /** Index in the group, or -1. */
    final int index;

    volatile int flags;
    volatile int consecutiveErrors;
    volatile long ejectedUntilNanos;
    volatile long lastUsedNanos;
    volatile int ejectionSeq;
    volatile EjectionReason reason = EjectionReason.CONSECUTIVE_ERRORS; // read unlocked for messages
    volatile int reasonCount;
    @SuppressWarnings("unused") // through OUTSTANDING
    private volatile int outstanding;

    // Guarded by lock().
    int k;
    long kSinceNanos;
    long ejectedAtNanos;
    boolean evicted;

    EndpointState(Object key, EndpointSelector group, int index, long nowNanos) {
        this.key = key;
        this.name = key.toString();
        this.group = group;
        this.index = index;
        this.lastUsedNanos = nowNanos;
    }

    Object lock() {
        return group != null ? group : this;
    }

    /** @return the endpoint's key, as given; its {@code toString()} is {@code scheme://host:port} */
    public Object key() {
        return key;
    }

    /** @return {@code scheme://host:port} */
    public String name() {
        return name;
    }

    /**
     * Counts one request in flight to this endpoint (for least-outstanding balancing); pair it with
     * {@link #requestEnded()} in a {@code finally}.
     */
    public void requestStarted() {
        OUTSTANDING.getAndAdd(this, 1);
    }

    /** Ends what {@link #requestStarted()} counted. */
    public void requestEnded() {
        OUTSTANDING.getAndAdd(this, -1);
    }

    /** @return requests in flight to this endpoint now */
    public int outstanding() {
        return (int) OUTSTANDING.getVolatile(this);
    }

    /** @return errors in a row counted so far (reset by a success and by an ejection) */
    public int consecutiveErrors() {
        return consecutiveErrors;
    }

    /**
     * @return true while ejected, by errors or by failed health checks, including an ejection whose time
     *         has passed but which no request or sweep has noticed yet
     */
    boolean flagged() {
        return flags != 0;
    }

    /**
     * Lowers k by one per full interval since {@code kSinceNanos}; call only while admitted, under the lock.
     *
     * @return the lowered k
     */
    int decayK(long nowNanos, long intervalNanos) {
        if (k > 0) {
            final long steps = (nowNanos - kSinceNanos) / intervalNanos;
            if (steps >= k) {
                k = 0;
            } else if (steps > 0) {
                k -= (int) steps;
                kSinceNanos += steps * intervalNanos;
            }
        }
        return k;
    }

    /** @return the ejection multiplier k as of the last transition (for tests and diagnostics; read under the lock) */
    int ejections() {
        synchronized (lock()) {
            return k;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
