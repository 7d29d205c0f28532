package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.TimeoutKind;
import dev.sturdy.internal.retry.AttemptView;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.runtime.DeadlineWatchdog;
import java.util.Arrays;
import java.util.List;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.HttpHost;

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
final class Call extends DeadlineWatchdog.Entry implements AttemptView {

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
    /** The method of the current redirect hop (a 303 turns a POST into a GET). */
    String method;
    final long startNanos;
    final long deadlineNanos;
    /** True when the caller reads the body inside the call ({@code execute(request, handler)}). */
    final boolean coversBody;

    /** HTTP attempts started in this call, over every redirect hop. */
    int attempts;
    /** Set by {@link DispatchMarker}: the current attempt's request is about to be written. */
    boolean dispatched;
    /** Whether the request body can be sent again (no body counts as repeatable). */
    boolean bodyRepeatable = true;
    /** A request-level override of {@code retryNonIdempotent}. */
    boolean retryNonIdempotentOverride;
    /** The outcome of the attempt being judged: a response, or a failure class. */
    private ClassicHttpResponse response;
    private FailureClass failureClass = FailureClass.NONE;
    /** Which timeout cancelled the last attempt, if any. */
    volatile TimeoutKind fired;

    private volatile int phase = IDLE;
    /** The current attempt's per-try deadline; meaningful only while {@link #perTryArmed}. */
    private volatile long attemptDeadlineNanos;
    private volatile boolean perTryArmed;
    private volatile Cancellable exchange;
    private volatile HttpHost target;

    Call(ClientRuntime runtime, PolicyState state, String method, long startNanos, boolean coversBody) {
        this.runtime = runtime;
        this.state = state;
        this.method = method;
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

    void respond(ClassicHttpResponse response) {
        this.response = response;
        this.failureClass = FailureClass.NONE;
    }

    void fail(FailureClass failureClass) {
        this.response = null;
        this.failureClass = failureClass;
    }

    void clearResponse() {
        this.response = null;
    }

    // AttemptView: the outcome being judged, seen by the transport-neutral retry decision

    @Override
    public String method() {
        return method;
    }

    @Override
    public int status() {
        final ClassicHttpResponse r = response;
        return r == null ? -1 : r.getCode();
    }

    @Override
    public FailureClass failure() {
        return failureClass;
    }

    @Override
    public boolean dispatched() {
        return dispatched;
    }

    @Override
    public boolean bodyRepeatable() {
        return bodyRepeatable;
    }

    @Override
    public boolean retryNonIdempotentOverride() {
        return retryNonIdempotentOverride;
    }

    @Override
    public List<String> headerValues(String lowerCaseName) {
        final ClassicHttpResponse r = response;
        if (r == null) {
            return List.of();
        }
        final Header[] headers = r.getHeaders(lowerCaseName);
        if (headers.length == 0) {
            return List.of();
        }
        final String[] values = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            values[i] = headers[i].getValue();
        }
        return Arrays.asList(values);
    }
}
