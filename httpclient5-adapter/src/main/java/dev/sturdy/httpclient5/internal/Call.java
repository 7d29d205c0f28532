package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.TimeoutKind;
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
 * <p>The attempt in flight moves through {@code IDLE -> RUNNING -> IDLE}; the watchdog may move it
 * {@code RUNNING -> CANCELLING -> CANCELLED} and cancels the exchange in between, so a late timer can
 * never cancel a later attempt: the calling thread waits out {@code CANCELLING} before it goes on.
 * When there was no connection to cancel yet (the attempt still waits for one from the pool), the
 * watchdog puts the attempt back to {@code RUNNING} and tries again on its next tick.
 */
final class Call extends AttemptOutcome implements LeaseRequest {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLING = 2;
    private static final int CANCELLED = 3;
    private static final int DONE = 4;

    private static final VarHandle PHASE;

    static {
        try {
            PHASE = MethodHandles.lookup().findVarHandle(Call.class, "phase", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ClientRuntime runtime;
    final PolicyState state;
    final long startNanos;
    final long deadlineNanos;
    /** True when the caller reads the body inside the call ({@code execute(request, handler)}). */
    final boolean coversBody;

    /** HTTP attempts started in this call, over every redirect hop. */
    int attempts;
    /** Which timeout cancelled the last attempt, if any. */
    volatile TimeoutKind fired;

    /**
     * The current attempt's pool lease when a connection was free: the call itself is handed to
     * HttpClient as the lease handle, so the success path allocates no wrapper. A late cancel through
     * the request can only reach this call's own lease.
     */
    private volatile LeaseRequest leaseInner;
    private SturdyConnectionManager leaseManager;
    private HttpRoute leaseRoute;

    private volatile int phase = IDLE;
    /** The current attempt's per-try deadline; meaningful only while {@link #perTryArmed}. */
    private volatile long attemptDeadlineNanos;
    private volatile boolean perTryArmed;
    private volatile Cancellable exchange;
    private volatile HttpHost target;

    Call(ClientRuntime runtime, PolicyState state, String method, long startNanos, boolean coversBody) {
        super(method);
        this.runtime = runtime;
        this.state = state;
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + state.responseTimeoutNanos;
        this.coversBody = coversBody;
    }

    /** @return nanoseconds left before the overall deadline (negative once passed) */
    long remainingNanos(long nowNanos) {
        return deadlineNanos - nowNanos;
    }

    /** An attempt starts: arm its deadline. */
    void beginAttempt(Cancellable exchange, HttpHost target, long nowNanos) {
        if ((int) PHASE.getVolatile(this) != IDLE) {
            endAttempt(); // a redirect hop after a response whose body phase was armed
        }
        this.exchange = exchange;
        this.target = target;
        this.dispatched = false;
        this.fired = null;
        if (state.perTryTimeoutNanos != Long.MAX_VALUE) {
            this.attemptDeadlineNanos = nowNanos + state.perTryTimeoutNanos;
            this.perTryArmed = true;
        }
        PHASE.setVolatile(this, RUNNING);
    }

    /**
     * The attempt's response head is handed to the caller, who reads the body inside the call: only
     * the overall deadline stays armed.
     */
    void bodyPhase() {
        perTryArmed = false;
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

    /** The call is over: the watchdog forgets it. */
    void finish() {
        endAttempt();
        PHASE.setVolatile(this, DONE);
    }

    @Override
    protected long deadlineNanos() {
        if (perTryArmed) {
            final long a = attemptDeadlineNanos;
            return a - deadlineNanos < 0 ? a : deadlineNanos; // overflow-safe comparison of nanoTime values
        }
        return deadlineNanos;
    }

    @Override
    protected boolean isDone() {
        return (int) PHASE.getVolatile(this) == DONE;
    }

    @Override
    protected void expire(long nowNanos) {
        if (!PHASE.compareAndSet(this, RUNNING, CANCELLING)) {
            return; // between attempts (the caller checks the deadline itself) or already cancelled
        }
        int next = CANCELLED;
        try {
            final TimeoutKind kind = nowNanos - deadlineNanos >= 0 ? TimeoutKind.OVERALL : TimeoutKind.PER_TRY;
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
            }
        } finally {
            PHASE.setVolatile(this, next);
        }
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
        this.leaseInner = inner;
    }

    @Override
    public ConnectionEndpoint get(Timeout timeout) throws InterruptedException, ExecutionException, TimeoutException {
        return Admission.await(leaseManager, leaseInner, leaseRoute, state, timeout);
    }

    @Override
    public boolean cancel() {
        final LeaseRequest inner = leaseInner;
        return inner == null || inner.cancel();
    }
}
