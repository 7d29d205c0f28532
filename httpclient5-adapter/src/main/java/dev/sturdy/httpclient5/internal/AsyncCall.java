package dev.sturdy.httpclient5.internal;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.PerTryTimeoutException;
import dev.sturdy.PoolOverflowException;
import dev.sturdy.event.DelaySource;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.TimeoutKind;
import dev.sturdy.internal.ejection.EndpointSelector;
import dev.sturdy.internal.ejection.EndpointState;
import dev.sturdy.internal.ejection.OutlierDetector;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.retry.RetryDecision;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.ComplexFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

/**
 * One call through a sturdy async client, and its retry loop.
 *
 * <p><b>Why the loop runs outside the exec chain.</b> Each attempt is a fresh
 * {@code execute(producer, consumer)} on the HttpClient async client, with the caller's request
 * producer (HttpClient releases, i.e. rewinds, it after every exchange) and a per-attempt
 * {@link AsyncAttemptConsumer} in front of the caller's consumer. Compared with a handler inside the
 * chain that re-enters it through {@code scope.scheduler} (as HttpClient's own
 * {@code AsyncHttpRequestRetryExec} does), this needs no HttpClient internals, keeps HttpClient's
 * one-thread-per-client scheduler out of the retry path (retries wait on sturdy's one
 * {@link AsyncRetryScheduler} thread), and gives every attempt its own cancellable future: the
 * deadline watchdog cancels exactly the attempt in flight (on HTTP/2 only its stream), and the
 * caller's {@link ComplexFuture} always depends on the current attempt or the pending retry, so
 * cancelling it cancels either. The success path adds no executor hop: the first attempt starts on the
 * caller's thread and the caller's consumer and callback run on the I/O reactor as with a plain client.
 * What it costs: a redirect chain is retried as a whole (the classic adapter retries each hop), and
 * every attempt builds its request again from the producer, so a retry sends the same method, URI,
 * headers and body bytes as the first attempt by construction.
 *
 * <p>Threads: state changes happen under the call's monitor; the caller's consumer and callback are
 * called outside it. The attempt in flight is {@link #current}; a late watchdog tick can only cancel
 * an attempt that has already ended (a no-op), never the next one.
 *
 * <p>Endpoints: the service of an attempt is known only once HttpClient has resolved its route, so
 * {@link AsyncChainMarker#ATTEMPT} (first in the chain) asks {@link #route} which endpoint it goes to: a
 * group member that is not ejected (a retry prefers one not tried yet in the call), or the service itself
 * unless it is ejected; when every candidate is ejected the attempt fails there, before anything is
 * leased or sent. Outcomes are reported to the outlier detector as the classic {@link AttemptHandler}
 * does: a response head by its status, a failure by its class once its connect retries are used up.
 */
final class AsyncCall<T> extends AttemptOutcome {

    /** Context attribute under which the chain markers find the call of an attempt. */
    static final String CONTEXT_ATTRIBUTE = "dev.sturdy.async.call";

    final AsyncRuntime async;
    final PolicyState state;
    private final HttpHost hostArg;
    private final AsyncRequestProducer producer;
    private final AsyncResponseConsumer<T> consumer;
    private final HandlerFactory<AsyncPushConsumer> pushHandlerFactory;
    private final HttpClientContext context;
    final ComplexFuture<T> future;
    final long deadlineNanos;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean consumerReleased = new AtomicBoolean();

    /** Set by {@link AsyncChainMarker#ATTEMPT}: the real target of the attempt. */
    volatile HttpHost target;
    /** Whether the attempt being started counts as a new attempt (false for a TCP connect retry). */
    volatile boolean countsAttempt;
    /** The endpoint of the current attempt, when the client has a detector (set by {@link #route}). */
    private volatile EndpointState endpointState;
    /** The group member of the current attempt, or null when it goes to the service itself. */
    private volatile HttpHost member;
    /** Group members tried in this call, a bit per member (Envoy's previous_hosts). */
    private long tried;
    /** The fail-fast exception {@link #route} raised (ejected, or too many calls): ends the call as it is. */
    private volatile java.io.IOException rejection;
    /** The call holds a place among the calls in flight ({@code http2MaxRequests}), taken by {@link #route}. */
    private volatile boolean admitted;
    private volatile AsyncAttempt<T> current;

    // guarded by this
    int attempts;
    private int retries;
    private int connectFailures;
    private boolean holdingBudget;
    private List<Exception> earlier;
    private ScheduledFuture<?> pendingRetry;

    private AsyncCall(AsyncRuntime async, PolicyState state, HttpHost hostArg, AsyncRequestProducer producer,
                      AsyncResponseConsumer<T> consumer, HandlerFactory<AsyncPushConsumer> pushHandlerFactory,
                      HttpClientContext context, ComplexFuture<T> future, long startNanos) {
        super("request"); // the real method is known when the attempt enters the exec chain
        this.async = async;
        this.state = state;
        this.hostArg = hostArg;
        this.producer = producer;
        this.consumer = consumer;
        this.pushHandlerFactory = pushHandlerFactory;
        this.context = context;
        this.future = future;
        this.deadlineNanos = startNanos + state.responseTimeoutNanos;
        this.retryNonIdempotentOverride = !(context instanceof CallContext) // a context of ours has no attributes
                && context.getAttribute(CallHandler.RETRY_NON_IDEMPOTENT_ATTRIBUTE) == Boolean.TRUE;
        this.bodyRepeatable = producer.isRepeatable();
        this.target = hostArg;
    }

    static <T> Future<T> start(AsyncRuntime async, HttpHost target, AsyncRequestProducer producer,
                               AsyncResponseConsumer<T> consumer, HandlerFactory<AsyncPushConsumer> pushHandlerFactory,
                               HttpContext context, FutureCallback<T> callback) {
        final ClientRuntime runtime = async.runtime;
        final ComplexFuture<T> future = new ComplexFuture<>(callback);
        final PolicyState ps = runtime.state();
        final HttpClientContext ctx = context == null ? new CallContext() : HttpClientContext.castOrCreate(context);
        final AsyncCall<T> call = new AsyncCall<>(async, ps, target, producer, consumer, pushHandlerFactory, ctx, future,
                runtime.seams.ticker().nanoTime());
        if (ctx instanceof CallContext) {
            ((CallContext) ctx).call = call; // nobody else sees this context: no attribute map is created
        } else {
            ctx.setAttribute(CONTEXT_ATTRIBUTE, call);
        }
        runtime.watch(call);
        call.launch(true);
        return future;
    }

    // ---------------------------------------------------------------- attempts

    /** Starts an attempt now (on the caller's thread for the first, on the retry timer for the others). */
    void launch(boolean newAttempt) {
        final AsyncAttempt<T> attempt;
        synchronized (this) {
            pendingRetry = null;
            async.waiting.remove(this);
            if (ended.get()) {
                return;
            }
            if (future.isDone()) { // the caller cancelled during the backoff wait
                endCancelled();
                return;
            }
            final long now = async.runtime.seams.ticker().nanoTime();
            if (remainingNanos(now) <= 0) {
                endFailed(deadlineExceeded(null));
                return;
            }
            if (newAttempt) {
                attempts++;
            }
            countsAttempt = newAttempt;
            dispatched = false;
            attempt = new AsyncAttempt<>(this, consumer,
                    state.perTryTimeoutNanos == Long.MAX_VALUE ? 0L : now + state.perTryTimeoutNanos,
                    state.perTryTimeoutNanos != Long.MAX_VALUE);
            current = attempt;
        }
        final Future<T> f;
        try {
            f = async.attempts().execute(hostArg, producer, attempt.consumer, pushHandlerFactory, context, attempt);
        } catch (RuntimeException e) {
            attempt.failed(e);
            return;
        }
        attempt.future = f;
        future.setDependency(f); // cancels f at once if the caller has cancelled already
        if (attempt.ended || future.isDone() || ended.get()) {
            relink(attempt, f); // rare: see there
        }
        if (attempt.fired != null) {
            // a deadline passed while execute() still ran on this thread (the first call of a client
            // loads and initialises much of HttpClient): the watchdog had no future to cancel yet
            f.cancel(true);
        }
    }

    /**
     * After {@code launch} linked an attempt's future as what the caller's cancel reaches, one of three
     * things had happened (checked without the lock, so the success path takes none):
     * <ul>
     *   <li>the attempt ended while {@code execute} ran (a synchronous failure, say a name that does not
     *       resolve): its callback has linked, or will link, the retry's cancel hook, or the retry has
     *       launched its own attempt, and the link just made may have replaced theirs: put the newest one
     *       back (both are made under this monitor, or, for an attempt, followed by this same check);</li>
     *   <li>the caller cancelled, possibly between {@code ComplexFuture}'s done-check and its set, a cancel
     *       it then drops;</li>
     *   <li>the call ended (the client closed) while {@code execute} ran.</li>
     * </ul>
     * In the last two cases the attempt must not go on. Its cancel runs outside the monitor: it runs the
     * attempt's callbacks, and through them the caller's consumer.
     */
    private void relink(AsyncAttempt<T> attempt, Future<T> f) {
        synchronized (this) {
            if (!ended.get() && !future.isDone()) {
                final ScheduledFuture<?> retry = pendingRetry;
                final AsyncAttempt<T> latest = current;
                if (retry != null) {
                    future.setDependency(() -> cancelPendingRetry(retry));
                } else if (latest != attempt && latest.future != null) {
                    future.setDependency(latest.future);
                }
                // otherwise the attempt's outcome is still being judged: whatever follows links itself
            }
        }
        if (future.isDone() || ended.get()) {
            f.cancel(true);
        }
    }

    /**
     * The response head of an attempt arrived (I/O thread). Decides whether it ends the call.
     *
     * @return the retry to run after the body is discarded, or null when the response goes to the caller
     */
    synchronized PlannedRetry onResponseHead(AsyncAttempt<T> attempt, HttpResponse head) {
        releaseBudget(); // the retry that held the slot has its outcome
        if (ended.get()) {
            return null;
        }
        final HttpHost t = target;
        final EndpointState es = attempt.endpoint;
        if (es != null) {
            async.runtime.endpoints.detector.onResponse(es, head.getCode());
        }
        respond(head);
        final RetryDecision decision = decide();
        if (decision != RetryDecision.NO_RETRY_SUCCESS) {
            Events.attemptFailed(state, method, t, attempts, "status " + head.getCode());
        }
        PlannedRetry plan = null;
        String stop = null;
        if (decision.retry()) {
            final long retryAfter = state.decider.retryAfterNanos(this, async.runtime.seams.ticker().epochMillis());
            plan = retryAfter >= 0
                    ? new PlannedRetry(decision, retryAfter, DelaySource.RETRY_AFTER, "status " + head.getCode())
                    : new PlannedRetry(decision, backoffNanos(), DelaySource.BACKOFF, "status " + head.getCode());
            stop = admitRetry(plan.delayNanos);
        }
        clearResponse();
        if (plan != null && stop == null) {
            holdingBudget = true;
            return plan;
        }
        if (decision == RetryDecision.NO_RETRY_SUCCESS) {
            if (retries > 0) {
                async.runtime.counters.increment(ResilienceCounter.RQ_RETRY_SUCCESS, t);
            }
        } else {
            exhausted(decision, stop);
        }
        attempt.perTryArmed = false; // the caller reads the body: only the overall deadline stays armed
        return null;
    }

    /** The attempt ended: its response was handed over and read, or discarded for a retry. */
    void onCompleted(AsyncAttempt<T> attempt, T result, PlannedRetry retry) {
        if (retry != null) {
            synchronized (this) {
                if (!ended.get()) {
                    scheduleRetry(retry.decision, retry.delayNanos, retry.source, retry.outcome, true);
                }
            }
            return;
        }
        if (end()) {
            future.completed(result);
        }
    }

    /** The attempt failed, or was cancelled ({@code failure} null) by the watchdog or the caller. */
    void onFailed(AsyncAttempt<T> attempt, Exception failure, boolean handedOver) {
        Exception toThrow = null;
        boolean cancelled = false;
        synchronized (this) {
            releaseBudget(); // also the slot of a retry planned on this attempt's response: it will not run
            if (ended.get()) {
                return;
            }
            final TimeoutKind fired = attempt.fired;
            if (failure != null && failure == rejection) {
                toThrow = withEarlier(failure); // ejected or refused: nothing was sent, nothing is retried
            } else if (fired == null && future.isCancelled()) {
                cancelled = true;
            } else if (async.closing()) {
                // the reactor fails exchanges in flight in whichever way it gets to first (connection
                // closed, reactor shut down, nothing at all): the caller sees one outcome for all of them
                toThrow = closedFailure(failure);
            } else if (fired == TimeoutKind.OVERALL
                    || remainingNanos(async.runtime.seams.ticker().nanoTime()) <= 0) {
                toThrow = deadlineExceeded(failure);
            } else if (handedOver && fired == null) {
                // the caller's consumer was reading the body: never retried (as Envoy once headers went downstream)
                toThrow = withEarlier(failure == null ? new CancellationException("Request execution cancelled") : failure);
            } else if (fired == null && failure == null) {
                cancelled = true; // someone cancelled the attempt itself
            } else {
                toThrow = judgeFailure(fired, failure);
            }
        }
        if (cancelled) {
            endCancelled();
        } else if (toThrow != null) {
            endFailed(toThrow);
        }
    }

    /** @return the exception that ends the call, or null when a retry was scheduled */
    private Exception judgeFailure(TimeoutKind fired, Exception cause) {
        final HttpHost t = target;
        Exception failure = cause;
        final FailureClass fc;
        if (fired == TimeoutKind.PER_TRY) {
            final PerTryTimeoutException timeout = new PerTryTimeoutException(Events.endpoint(t), method,
                    state.perTryTimeout, attempts);
            if (cause != null) {
                timeout.initCause(cause);
            }
            failure = timeout;
            fc = FailureClass.PER_TRY_TIMEOUT;
        } else {
            failure = Failures.unwrapOverflow(cause);
            fc = AsyncFailures.classify(failure, dispatched);
        }
        if (fc == FailureClass.CONNECT_FAILURE) {
            async.runtime.counters.increment(ResilienceCounter.CX_CONNECT_FAIL, t);
            if (++connectFailures < state.maxConnectAttempts) {
                remember(failure);
                if (schedule(0L, false)) {
                    return null; // TCP connect retry: at once, does not use up HTTP retries
                }
                return withEarlier(failure);
            }
        }
        connectFailures = 0;
        final EndpointState es = endpointState;
        if (es != null) {
            async.runtime.endpoints.detector.onFailure(es, fc); // overflow, cancel and the like do not count
        }
        fail(fc);
        final String outcome = Failures.describe(fc, failure);
        Events.attemptFailed(state, method, t, attempts, outcome);
        final RetryDecision decision = decide();
        if (!decision.retry()) {
            exhausted(decision, null);
            return withEarlier(failure);
        }
        final long delay = backoffNanos();
        final String stop = admitRetry(delay);
        if (stop != null) {
            exhausted(decision, stop);
            return withEarlier(failure);
        }
        holdingBudget = true;
        remember(failure);
        scheduleRetry(decision, delay, DelaySource.BACKOFF, outcome, true);
        return null;
    }

    // ---------------------------------------------------------------- retries

    private void scheduleRetry(RetryDecision decision, long delayNanos, DelaySource source, String outcome,
                               boolean newAttempt) {
        final int retry = ++retries;
        final HttpHost t = target;
        async.runtime.counters.increment(ResilienceCounter.RQ_RETRY, t);
        Events.retryScheduled(state, method, t, attempts, retry, decision.reason(), delayNanos, source, outcome);
        if (!schedule(delayNanos, newAttempt)) { // the client is closing
            endFailed(closedFailure(null));
        }
    }

    private boolean schedule(long delayNanos, boolean newAttempt) {
        async.waiting.add(this);
        final ScheduledFuture<?> f = async.scheduler.schedule(() -> launch(newAttempt), delayNanos);
        if (f == null) {
            async.waiting.remove(this);
            return false;
        }
        pendingRetry = f;
        future.setDependency(() -> cancelPendingRetry(f));
        return true;
    }

    private boolean cancelPendingRetry(ScheduledFuture<?> f) {
        if (f.cancel(false)) {
            async.waiting.remove(this);
            endCancelled();
        }
        return true;
    }

    /** The client closed while this call waited to retry. */
    void clientClosed() {
        final ScheduledFuture<?> f;
        synchronized (this) {
            f = pendingRetry;
        }
        if (f != null) {
            f.cancel(false);
        }
        endFailed(closedFailure(null));
    }

    private String admitRetry(long delayNanos) {
        final long now = async.runtime.seams.ticker().nanoTime();
        if (remainingNanos(now) - delayNanos <= 0) {
            return "the retry would start after the response timeout";
        }
        final EndpointState es = endpointState;
        if (member == null && es != null && async.runtime.endpoints.detector.isEjected(es, now)) {
            // no group member, so the service is the only endpoint, and this attempt's error ejected it:
            // waiting would only end in a rejection
            return "the endpoint is ejected";
        }
        final int refused = async.runtime.budget.tryAcquire(state.retry.budget());
        if (refused >= 0) {
            async.runtime.counters.increment(ResilienceCounter.RQ_RETRY_OVERFLOW, target);
            Events.budgetExceeded(state, method, target, attempts, async.runtime.budget.retriesInFlight(), refused);
            return "retry budget exhausted";
        }
        return null;
    }

    private long backoffNanos() {
        return state.backoff.delayNanos(retries + 1, async.runtime.seams.random().nextDouble());
    }

    private RetryDecision decide() {
        return state.decider == null ? RetryDecision.NO_RETRY_SUCCESS : state.decider.decide(this, retries);
    }

    private void exhausted(RetryDecision decision, String stop) {
        if (decision == RetryDecision.NO_RETRY_EXHAUSTED) {
            async.runtime.counters.increment(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED, target);
        }
        Events.retriesExhausted(state, method, target, attempts, stop != null ? stop : decision.reason());
    }

    private void releaseBudget() {
        if (holdingBudget) {
            holdingBudget = false;
            async.runtime.budget.release();
        }
    }

    private void remember(Exception failure) {
        if (earlier == null) {
            earlier = new ArrayList<>(4);
        }
        earlier.add(failure);
    }

    /** @param cause the attempt's failure that the closing client caused, or null */
    private Exception closedFailure(Exception cause) {
        final CancellationException closed = new CancellationException("Request execution cancelled: client closed");
        if (cause != null) {
            closed.initCause(cause);
        }
        return withEarlier(closed);
    }

    private Exception withEarlier(Exception failure) {
        return AttemptHandler.withSuppressed(failure, earlier);
    }

    private DeadlineExceededException deadlineExceeded(Exception last) {
        final HttpHost t = target;
        final DeadlineExceededException e = new DeadlineExceededException(Events.endpoint(t), method,
                state.responseTimeout, attempts);
        if (last != null) {
            e.initCause(last);
        }
        final AsyncAttempt<T> a = current;
        if (a == null || a.fired != TimeoutKind.OVERALL) { // the watchdog did not see it: count it here
            async.runtime.counters.increment(ResilienceCounter.RQ_TIMEOUT, t);
            Events.timeout(state, method, t, TimeoutKind.OVERALL, state.responseTimeout, attempts);
        }
        return AttemptHandler.withSuppressed(e, earlier);
    }

    // ---------------------------------------------------------------- ending

    /** @return true for the one thread that ends the call */
    private boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        final boolean wasAdmitted;
        synchronized (this) {
            releaseBudget();
            wasAdmitted = admitted; // route() admits under this monitor, and only while the call has not ended
        }
        async.waiting.remove(this);
        if (context instanceof CallContext) {
            ((CallContext) context).call = null;
        } else { // the caller's context: the attempt count is for them to read
            context.setAttribute(CallHandler.ATTEMPTS_ATTRIBUTE, attempts);
            context.removeAttribute(CONTEXT_ATTRIBUTE);
        }
        if (wasAdmitted) {
            async.runtime.budget.callEnded();
        }
        return true;
    }

    private void endFailed(Exception failure) {
        if (end()) {
            final AsyncAttempt<T> a = current;
            if (a == null || !a.handedOver) {
                fail(consumer, failure);
            }
            releaseConsumer();
            future.failed(failure);
        }
    }

    private void endCancelled() {
        if (end()) {
            final AsyncAttempt<T> a = current;
            if (a == null || !a.handedOver) {
                fail(consumer, new CancellationException("Request execution cancelled"));
            }
            releaseConsumer();
            future.cancel();
        }
    }

    void releaseConsumer() {
        if (consumerReleased.compareAndSet(false, true)) {
            try {
                consumer.releaseResources();
            } catch (RuntimeException ignored) {
                // the caller's consumer must not break the call's bookkeeping
            }
        }
    }

    private static void fail(AsyncResponseConsumer<?> consumer, Exception failure) {
        try {
            consumer.failed(failure);
        } catch (RuntimeException ignored) {
            // the caller's consumer must not break the call's bookkeeping
        }
    }


    // ---------------------------------------------------------------- endpoints

    /**
     * Chooses the endpoint of the attempt entering the exec chain (on the thread that started it) and
     * counts it in {@code rq_total}. A TCP connect retry stays on the endpoint of the attempt it repeats.
     *
     * @param scope   the attempt's scope, routed to the service
     * @param request the request about to be sent
     * @return the scope to go on with: the same, or one routed to the chosen group member
     * @throws EndpointEjectedException when every endpoint the call could use is ejected
     * @throws PoolOverflowException when the first attempt finds {@code http2MaxRequests} calls in flight
     */
    AsyncExecChain.Scope route(AsyncExecChain.Scope scope, HttpRequest request) throws java.io.IOException {
        final Endpoints endpoints = async.runtime.endpoints;
        final OutlierDetector detector = endpoints.detector;
        final HttpHost service = scope.route.getTargetHost();
        method(request.getMethod());
        if (!admitted) {
            // here rather than when the call starts: only now is the target known (the usual async call
            // carries it in the request), so the refusal names it as the classic client's does
            final boolean refused;
            synchronized (this) { // with end(), which reads admitted under this monitor after setting ended
                if (ended.get()) {
                    // ended (client closed) after the marker found the call: take no place it would never give back
                    throw new InterruptedIOException("Request execution cancelled: call ended");
                }
                refused = !async.runtime.budget.tryCallStarted(state.maxRequests);
                if (refused) {
                    attempts--; // counted when the attempt was launched; it never started
                } else {
                    admitted = true;
                }
            }
            if (refused) {
                async.runtime.counters.increment(ResilienceCounter.RQ_PENDING_OVERFLOW, service);
                final PoolOverflowException overflow = Admission.overflow(PoolOverflowException.Limit.MAX_REQUESTS,
                        method + " " + Events.endpoint(service),
                        state.maxRequests + " requests already in flight (http2MaxRequests " + state.maxRequests + ")");
                rejection = overflow;
                throw overflow;
            }
        }
        final boolean newAttempt = countsAttempt;
        if (detector != null && newAttempt) {
            final long now = async.runtime.seams.ticker().nanoTime();
            endpoints.start();
            detector.sweepIfDue(now);
            final EndpointSelector group = endpoints.group(service);
            EndpointState chosen = null;
            HttpHost chosenMember = null;
            if (group != null) {
                final int m;
                synchronized (this) {
                    m = group.select(tried, now);
                    if (m != EndpointSelector.NONE) {
                        tried |= 1L << m;
                    }
                }
                if (m == EndpointSelector.NONE) {
                    throw rejected(service, group.ejectedException(now));
                }
                chosen = group.member(m);
                chosenMember = (HttpHost) group.key(m); // keys are the members' HttpHosts
            } else if (detector.passiveEjection()) {
                chosen = detector.endpoint(service);
                if (detector.isEjected(chosen, now)) {
                    throw rejected(service, detector.ejectedException(chosen, now));
                }
            }
            endpointState = chosen;
            member = chosenMember;
        }
        final HttpHost m = detector == null ? null : member;
        final HttpHost t = m != null ? m : service;
        target = t;
        final AsyncAttempt<T> attempt = current;
        if (attempt != null) {
            attempt.execRuntime = scope.execRuntime;
            attempt.exchangeId = scope.exchangeId;
        }
        final EndpointState es = detector == null ? null : endpointState;
        if (es != null && attempt != null) {
            es.requestStarted();
            attempt.endpoint = es; // requestEnded() when the attempt ends
        }
        if (newAttempt) { // a TCP connect retry re-runs the same attempt: not counted again
            async.runtime.counters.increment(ResilienceCounter.RQ_TOTAL, t);
        }
        return m == null ? scope : memberScope(scope, request, m);
    }

    /** Every endpoint the call could use is ejected: the attempt is not made; nothing is sent or retried. */
    private EndpointEjectedException rejected(HttpHost service, EndpointEjectedException e) {
        synchronized (this) {
            attempts--; // counted when the attempt was launched; it never started
            Events.circuitRejected(state, method, service, attempts + 1, e.retryAt());
        }
        rejection = e;
        return e;
    }

    /**
     * The scope of an attempt sent to a group member: the route's target replaced, its proxy and local
     * address kept. Through a plain (non-tunnelled) proxy the request names the member as its authority,
     * since the proxy resolves it; otherwise the request keeps the service's authority (its Host header).
     */
    private static AsyncExecChain.Scope memberScope(AsyncExecChain.Scope scope, HttpRequest request, HttpHost member) {
        final HttpRoute memberRoute = Endpoints.memberRoute(scope.route, member);
        if (scope.route.getProxyHost() != null && !memberRoute.isTunnelled()) {
            request.setAuthority(new URIAuthority(member));
        }
        return new AsyncExecChain.Scope(scope.exchangeId, memberRoute, scope.originalRequest,
                scope.cancellableDependency, scope.clientContext, scope.execRuntime, scope.scheduler,
                scope.execCount);
    }

    // ---------------------------------------------------------------- deadline watchdog

    long remainingNanos(long nowNanos) {
        return deadlineNanos - nowNanos;
    }

    @Override
    protected long deadlineNanos() {
        final AsyncAttempt<T> a = current;
        if (a != null && a.perTryArmed && !a.ended) {
            final long d = a.perTryDeadlineNanos;
            return d - deadlineNanos < 0 ? d : deadlineNanos;
        }
        return deadlineNanos;
    }

    @Override
    protected boolean isDone() {
        return ended.get();
    }

    @Override
    protected void expire(long nowNanos) {
        final AsyncAttempt<T> a = current;
        if (a == null || a.ended) {
            return; // between attempts: the retry checks the deadline itself when it starts
        }
        final TimeoutKind kind = nowNanos - deadlineNanos >= 0 ? TimeoutKind.OVERALL : TimeoutKind.PER_TRY;
        if (kind == TimeoutKind.PER_TRY && !a.perTryArmed) {
            return;
        }
        if (a.fired != kind) {
            a.fired = kind;
            final HttpHost t = target;
            async.runtime.counters.increment(ResilienceCounter.RQ_TIMEOUT, t);
            Events.timeout(state, method, t, kind,
                    kind == TimeoutKind.OVERALL ? state.responseTimeout : state.perTryTimeout, attempts);
        }
        final Future<T> f = a.future;
        if (f != null) {
            f.cancel(true); // not yet started: tried again on the next tick
        }
    }

    /**
     * The client closed while this call's attempt was in flight: its deadline will not fire any more,
     * and a closed I/O reactor may never complete the exchange, so the call ends here.
     */
    @Override
    protected void watchdogClosed() {
        final AsyncAttempt<T> a = current;
        endFailed(closedFailure(null));
        final Future<T> f = a == null ? null : a.future;
        if (f != null) {
            f.cancel(true); // after the call has ended: the attempt's outcome is ignored
        }
    }

    void method(String method) {
        this.method = method;
    }

    /**
     * An attempt's exchange is about to be written ({@link AsyncChainMarker#DISPATCH}).
     *
     * @param exchangeId the exchange's id (redirect hops keep it), which tells one attempt's exchange
     *                   from another's
     * @return false when the exchange belongs to an attempt that has already ended (cancelled by a
     *         timeout, the caller or close while its connection was set up): it must not be sent
     */
    boolean dispatching(String exchangeId) {
        final AsyncAttempt<T> a = current;
        if (a == null || a.ended || !exchangeId.equals(a.exchangeId)) {
            return false;
        }
        dispatched = true;
        return true;
    }

    /**
     * The call of an exchange, from its context (null when the exchange is not one of sturdy's calls).
     */
    static AsyncCall<?> of(HttpClientContext context) {
        if (context instanceof CallContext) {
            return ((CallContext) context).call;
        }
        final Object attr = context.getAttribute(CONTEXT_ATTRIBUTE);
        return attr instanceof AsyncCall ? (AsyncCall<?>) attr : null;
    }

    /**
     * The context sturdy creates for a call made without one: it carries the call in a field, so the
     * success path never creates the context's attribute map (about 160 bytes a call). Only sturdy and
     * HttpClient see it.
     */
    static final class CallContext extends HttpClientContext {
        volatile AsyncCall<?> call;
    }

    /** A retry decided on a response head, run once its body has been discarded. */
    record PlannedRetry(RetryDecision decision, long delayNanos, DelaySource source, String outcome) {
    }
}
