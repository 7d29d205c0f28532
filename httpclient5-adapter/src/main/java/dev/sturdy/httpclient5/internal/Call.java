package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.TimeoutKind;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.runtime.DeadlineWatchdog;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.io.LeaseRequest;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;

/**
 * The state of one call through a sturdy client: its deadline, its attempts and the attempt in flight,
 * which the deadline watchdog cancels when a per-try timeout or the overall deadline passes.
 *
 * <p>A classic call runs on its caller's thread from start to end, so each thread keeps one reusable
 * call per client ({@link CallSlot#spare}): it is registered with the watchdog once and re-armed by
 * {@link #open} for every call, which saves the allocation and the shared registration CAS of a call
 * object per request. A call made while the thread's reusable one is still open (from inside a
 * response handler of another call, or on another client) gets a one-off call of its own. Between
 * calls the reusable call is {@code DONE}; after {@link #IDLE_TICKS_BEFORE_DETACH} watchdog ticks
 * without a new call the watchdog forgets it ({@code DONE -> DETACHED}, one CAS that races with the
 * owner's {@code DONE -> IDLE}), and the owner registers it again with its next call, so the watchdog
 * never keeps entries of idle or dead threads.
 *
 * <p>The attempt in flight moves through {@code IDLE -> RUNNING -> IDLE}; the watchdog may move it
 * {@code RUNNING -> CANCELLING -> CANCELLED} and cancels the exchange in between, so a late timer can
 * never cancel a later attempt: the calling thread waits out {@code CANCELLING} before it goes on.
 * When there was no connection to cancel yet (the attempt still waits for one from the pool), the
 * watchdog puts the attempt back to {@code RUNNING} and tries again on its next tick.
 *
 * <p>Memory ordering: the fields the watchdog reads (deadlines, exchange, target) are plain and written
 * by the owner before a release store of the phase, which the watchdog reads first; a watchdog that
 * read an older deadline re-checks it after winning {@code RUNNING -> CANCELLING}. So the success path
 * costs two CAS of the phase per call (open, end) and no other fence of this class.
 */
final class Call extends AttemptOutcome implements LeaseRequest {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLING = 2;
    private static final int CANCELLED = 3;
    private static final int DONE = 4;
    /** Not registered with the watchdog (new, or forgotten by it after being idle). */
    private static final int DETACHED = 5;

    /** Watchdog ticks a reusable call may stay idle before the watchdog forgets it (about 1 s at 5 ms). */
    static final int IDLE_TICKS_BEFORE_DETACH = 200;

    /**
     * {@link #startNanos} before anyone has stamped the call's start. The classic success path reads no
     * clock: the watchdog stamps a call the first time it sees it running, with a clock read taken
     * after it has claimed the stamp, so the start is never earlier than the call really started (its
     * deadline may fire up to a tick later than it would from the exact start, never earlier).
     */
    static final long UNSTAMPED = Long.MIN_VALUE;
    /** The watchdog is stamping the start (between its claim and its clock read). */
    private static final long CLAIMED = Long.MIN_VALUE + 1;

    private static final VarHandle PHASE;
    private static final VarHandle START;
    private static final VarHandle PER_TRY_ARMED;
    private static final VarHandle LEASE_INNER;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PHASE = lookup.findVarHandle(Call.class, "phase", int.class);
            START = lookup.findVarHandle(Call.class, "startNanos", long.class);
            PER_TRY_ARMED = lookup.findVarHandle(Call.class, "perTryArmed", boolean.class);
            LEASE_INNER = lookup.findVarHandle(Call.class, "leaseInner", LeaseRequest.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ClientRuntime runtime;
    /** True for the thread's reusable call, false for a one-off call (nested, or another client's). */
    final boolean reusable;
    // set by open() for every call, before the phase leaves DONE/DETACHED (a volatile write), so the
    // watchdog sees them once it sees the call running
    PolicyState state;
    /**
     * When the call started ({@link #UNSTAMPED} until someone needs it, see {@link #start(long)}); every
     * access goes through {@link #START}: the owner and the watchdog both stamp it.
     */
    @SuppressWarnings("unused") // accessed through START
    private long startNanos;
    /** True when the caller reads the body inside the call ({@code execute(request, handler)}). */
    boolean coversBody;
    /** Calls opened on this object; read by the watchdog to tell a busy reusable call from an idle one. */
    private int opened;
    /** Watchdog thread only: the value of {@link #opened} at its last look, and for how many ticks. */
    private int seenOpened;
    private int idleTicks;

    /** HTTP attempts started in this call, over every redirect hop. */
    int attempts;
    /** Which timeout cancelled the last attempt, if any. */
    volatile TimeoutKind fired;

    /**
     * The current attempt's pool lease when a connection was free: the call itself is handed to
     * HttpClient as the lease handle, so the success path allocates no wrapper. HttpClient keeps the
     * handle as the request's cancellable only until the lease succeeds; when it fails or is cancelled,
     * or the request was cancelled while it held the handle ({@link #leaseEscaped}), the call is not
     * reused, so a late cancel through that request can only reach this finished call. (A
     * {@code reset()} of the request from another thread while it runs cancels without marking the
     * request, and is not covered: HttpClient's requests are reset for reuse once they have ended.)
     * Accessed with release/acquire through {@link #LEASE_INNER}.
     */
    private LeaseRequest leaseInner;
    /**
     * The request of the current attempt may have reached the server (set by {@link DispatchMarker}).
     * A classic call's chain runs on one thread, so unlike {@link AttemptOutcome#dispatched} this is a
     * plain field: no fence per attempt.
     */
    boolean sent;
    /**
     * Set when a lease through this call failed or was cancelled, or an attempt ended with its request
     * cancelled: the call must not be reused.
     */
    volatile boolean leaseEscaped;
    private SturdyConnectionManager leaseManager;
    private HttpRoute leaseRoute;

    private volatile int phase = DETACHED;
    /**
     * The current attempt's per-try deadline; meaningful only while {@link #perTryArmed}. For the first
     * attempt of a call whose start is not stamped yet it is {@link #UNSTAMPED}: the per-try deadline then
     * runs from the call's start.
     */
    private long attemptDeadlineNanos;
    private boolean perTryArmed;
    private Cancellable exchange;
    private HttpHost target;

    /**
     * A one-off call, opened at once (not yet registered with the watchdog).
     *
     * @param startNanos when the call started, or {@link #UNSTAMPED}
     */
    Call(ClientRuntime runtime, PolicyState state, String method, long startNanos, boolean coversBody) {
        this(runtime, false);
        open(state, method, startNanos, coversBody);
    }

    /**
     * A call to be opened with {@link #open}.
     *
     * @param reusable true for a thread's reusable call (stays registered between calls)
     */
    Call(ClientRuntime runtime, boolean reusable) {
        super(null);
        this.runtime = runtime;
        this.reusable = reusable;
    }

    /** @return true when the call is not running (never opened, or finished): its owner may open it */
    boolean available() {
        final int p = (int) PHASE.getVolatile(this);
        return p == DONE || p == DETACHED;
    }

    /**
     * Re-arms the call for a new call on the owner's thread. Only for an {@link #available()} call.
     *
     * @param startNanos when the call started, or {@link #UNSTAMPED} to leave the stamp to whoever needs
     *                   it first (the watchdog on its next tick, or this thread on a slow path)
     * @return true when the call must be (re-)registered with the watchdog
     */
    boolean open(PolicyState state, String method, long startNanos, boolean coversBody) {
        this.state = state;
        if (this.method != method) { // a volatile field: skip the store (and its fence) for the same method
            this.method = method;
        }
        // opaque, not plain: the watchdog may CAS this field at the same time (a claim of the previous
        // call's stamp, which then fails to publish); published with the phase below
        START.setOpaque(this, startNanos);
        this.coversBody = coversBody;
        this.attempts = 0;
        if (fired != null) {
            fired = null;
        }
        this.perTryArmed = false;
        this.bodyRepeatable = true;
        this.retryNonIdempotentOverride = false;
        fail(FailureClass.NONE); // no response, no failure
        this.opened++;
        // DONE -> IDLE keeps the registration; a lost race with the watchdog's DONE -> DETACHED (or a
        // call never registered) means registering again
        if (PHASE.compareAndSet(this, DONE, IDLE)) {
            return false;
        }
        PHASE.setVolatile(this, IDLE);
        return true;
    }

    /** @return nanoseconds left before the overall deadline (negative once passed); owner thread only */
    long remainingNanos(long nowNanos) {
        return start(nowNanos) + state.responseTimeoutNanos - nowNanos;
    }

    /** @return true when the call's start has been stamped (no clock read is saved by waiting) */
    boolean started() {
        final long s = (long) START.getAcquire(this);
        return s != UNSTAMPED && s != CLAIMED;
    }

    /**
     * The call's start, stamped with {@code nowNanos} if nobody has stamped it yet (the owner's slow
     * paths read the clock anyway; a start stamped late only makes the deadline later). Owner thread only.
     *
     * @param nowNanos the owner's current time
     * @return the stamped start
     */
    long start(long nowNanos) {
        for (int spins = 0; ; spins++) {
            final long s = (long) START.getAcquire(this);
            if (s == CLAIMED) {
                // the watchdog is between its claim and its clock read: a few nanoseconds
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            } else if (s != UNSTAMPED) {
                return s;
            } else {
                final long stamp = stampable(nowNanos);
                if (START.compareAndSet(this, UNSTAMPED, stamp)) {
                    return stamp;
                }
            }
        }
    }

    /** @return {@code t}, moved off the two sentinel values (a clock value that lands on one is one ns later) */
    private static long stampable(long t) {
        return t == UNSTAMPED || t == CLAIMED ? CLAIMED + 1 : t;
    }

    /**
     * Watchdog thread: the call's start, stamped now if this running call has none yet. The claim comes
     * before the clock read, so the stamp is never earlier than the call it lands on (even one the owner
     * opened after the watchdog looked at the phase).
     *
     * @return the start, or {@link #UNSTAMPED} when the stamp raced with the owner (looked at next tick)
     */
    private long startForWatchdog() {
        final long s = (long) START.getAcquire(this);
        if (s != UNSTAMPED && s != CLAIMED) {
            return s;
        }
        if (s == UNSTAMPED && START.compareAndSet(this, UNSTAMPED, CLAIMED)) {
            final long t = stampable(runtime.seams.ticker().nanoTime());
            // fails when the owner has re-opened the call meanwhile (it wrote UNSTAMPED over the claim)
            return START.compareAndSet(this, CLAIMED, t) ? t : UNSTAMPED;
        }
        return UNSTAMPED;
    }

    /**
     * An attempt starts: arm its deadline.
     *
     * @param nowNanos the attempt's start, or {@link #UNSTAMPED} for a first attempt whose per-try
     *                 deadline runs from the call's (not yet stamped) start
     */
    void beginAttempt(Cancellable exchange, HttpHost target, long nowNanos) {
        if ((int) PHASE.getVolatile(this) != IDLE) {
            endAttempt(); // a redirect hop after a response whose body phase was armed
        }
        this.exchange = exchange;
        this.target = target;
        this.sent = false;
        if (fired != null) { // a volatile field: store only when it changes
            fired = null;
        }
        if (state.perTryTimeoutNanos != Long.MAX_VALUE) {
            this.attemptDeadlineNanos = nowNanos == UNSTAMPED ? UNSTAMPED : nowNanos + state.perTryTimeoutNanos;
            this.perTryArmed = true;
        }
        PHASE.setRelease(this, RUNNING); // publishes the fields above to the watchdog
    }

    /**
     * The attempt's response head is handed to the caller, who reads the body inside the call: only
     * the overall deadline stays armed.
     */
    void bodyPhase() {
        PER_TRY_ARMED.setRelease(this, false);
    }

    /**
     * The attempt ended (its response released or returned). Waits for a watchdog cancellation in
     * progress to finish, so nothing can touch the next attempt.
     *
     * @return which timeout cancelled the attempt, or null if none did
     */
    TimeoutKind endAttempt() {
        while (true) {
            final int p = (int) PHASE.getVolatile(this);
            if (p == CANCELLING) {
                Thread.onSpinWait(); // the watchdog is cancelling this attempt: let it finish
            } else if (p == IDLE || p == DONE || PHASE.compareAndSet(this, p, IDLE)) {
                return fired;
            }
        }
    }

    /**
     * The call is over: a one-off call is forgotten by the watchdog, a reusable one waits (registered)
     * for its owner's next call. Drops the references to this call's connection and exchange.
     */
    void finish() {
        endAttempt();
        this.exchange = null;
        if (leaseManager != null) {
            LEASE_INNER.setRelease(this, null);
            this.leaseManager = null;
            this.leaseRoute = null;
        }
        clearResponse();
        PHASE.setRelease(this, DONE);
    }

    /**
     * Watchdog thread. A running call without a start is stamped here; a finished one is left alone
     * (its next call re-arms it), with a deadline that cannot have passed.
     */
    @Override
    protected long deadlineNanos() {
        final int p = (int) PHASE.getAcquire(this);
        final long start;
        if (p == DONE || p == DETACHED) {
            final long s = (long) START.getAcquire(this);
            if (s == UNSTAMPED || s == CLAIMED) {
                return runtime.watchdogNowNanos() + state.responseTimeoutNanos; // nothing to fire
            }
            start = s;
        } else {
            start = startForWatchdog();
            if (start == UNSTAMPED) {
                return runtime.watchdogNowNanos() + state.responseTimeoutNanos; // stamped on the next tick
            }
        }
        final long overall = start + state.responseTimeoutNanos;
        if ((boolean) PER_TRY_ARMED.getAcquire(this)) {
            long a = attemptDeadlineNanos;
            if (a == UNSTAMPED) {
                a = start + state.perTryTimeoutNanos; // the first attempt started with the call
            }
            return a - overall < 0 ? a : overall; // overflow-safe comparison of nanoTime values
        }
        return overall;
    }

    /**
     * Called by the watchdog on every tick. A one-off call is done once finished; a reusable call only
     * once it has stayed finished, with no new call opened, for {@link #IDLE_TICKS_BEFORE_DETACH} ticks.
     */
    @Override
    protected boolean isDone() {
        final int p = (int) PHASE.getVolatile(this);
        if (p == DETACHED) {
            return true;
        }
        if (p != DONE) {
            idleTicks = 0;
            return false;
        }
        if (!reusable) {
            return true;
        }
        final int o = opened; // read after the volatile phase read: not hoisted
        if (o != seenOpened) {
            seenOpened = o;
            idleTicks = 0;
            return false;
        }
        if (++idleTicks < IDLE_TICKS_BEFORE_DETACH) {
            return false;
        }
        idleTicks = 0;
        // the owner may be opening it right now: whoever wins the CAS decides
        return PHASE.compareAndSet(this, DONE, DETACHED);
    }

    @Override
    protected void expire(long nowNanos) {
        if (!PHASE.compareAndSet(this, RUNNING, CANCELLING)) {
            return; // between attempts (the caller checks the deadline itself) or already cancelled
        }
        if (nowNanos - deadlineNanos() < 0) {
            // the deadline the watchdog compared was an earlier attempt's or call's (this call object was
            // re-armed since): the current one has not passed
            PHASE.setVolatile(this, RUNNING);
            return;
        }
        int next = CANCELLED;
        try {
            final long start = (long) START.getAcquire(this); // stamped: deadlineNanos() above saw it
            final TimeoutKind kind = nowNanos - (start + state.responseTimeoutNanos) >= 0
                    ? TimeoutKind.OVERALL : TimeoutKind.PER_TRY;
            if (fired != kind) {
                fired = kind;
                final HttpHost t = target;
                runtime.counters.increment(ResilienceCounter.RQ_TIMEOUT, t);
                Events.timeout(state, method, t, kind,
                        kind == TimeoutKind.OVERALL ? state.responseTimeout : state.perTryTimeout, attempts);
            }
            final Cancellable c = exchange;
            if (c == null || !c.cancel()) {
                // no connection held yet (waiting for one from the pool): stay armed, try again next tick
                next = RUNNING;
                if (kind == TimeoutKind.OVERALL) {
                    // This call is the lease handle (a connection was free when it was counted), yet its lease
                    // may still wait in the pool's queue (PoolControl#reserve): end that wait now rather than
                    // after maxPendingWait. A lease that has completed ignores the cancel.
                    final LeaseRequest lease = (LeaseRequest) LEASE_INNER.getAcquire(this);
                    if (lease != null) {
                        lease.cancel();
                    }
                }
            }
        } finally {
            PHASE.setVolatile(this, next);
        }
    }

    @Override
    public boolean dispatched() {
        return sent;
    }

    /** @return true if the overall deadline fired during this call */
    boolean deadlineFired() {
        return fired == TimeoutKind.OVERALL;
    }

    HttpHost target() {
        return target;
    }

    void leaseFrom(SturdyConnectionManager manager, LeaseRequest inner, HttpRoute route) {
        this.leaseManager = manager;
        this.leaseRoute = route;
        LEASE_INNER.setRelease(this, inner);
    }

    @Override
    public ConnectionEndpoint get(Timeout timeout) throws InterruptedException, ExecutionException, TimeoutException {
        boolean leased = false;
        try {
            final ConnectionEndpoint endpoint = Admission.await(leaseManager,
                    (LeaseRequest) LEASE_INNER.getAcquire(this), leaseRoute, state, timeout, true);
            leased = true;
            return endpoint;
        } finally {
            if (!leased) {
                leaseEscaped = true; // the request still points at this handle: do not reuse the call
            }
        }
    }

    @Override
    public boolean cancel() {
        leaseEscaped = true;
        final LeaseRequest inner = (LeaseRequest) LEASE_INNER.getAcquire(this);
        return inner == null || inner.cancel();
    }
}
