package dev.sturdy.httpclient5.internal;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.internal.retry.RetryDecision;
import dev.sturdy.internal.ejection.EndpointState;
import dev.sturdy.internal.ejection.OutlierDetector;
import java.io.IOException;
import java.util.List;
import org.apache.hc.client5.http.EndpointInfo;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.util.TimeValue;

/**
 * Benchmark helper (lives in the adapter's internal package because the handlers are package-private):
 * drives sturdy's real classic exec-chain handlers ({@link CallHandler}, {@link AttemptHandler},
 * {@link DispatchMarker}) and the real {@link Call} over a stub chain whose transport returns a canned
 * 200 at once, so the cost of the policy machinery is measured without any I/O.
 *
 * <p>Not part of sturdy: it only exists in the benchmarks module. One probe per benchmark thread
 * (the reused scope and context are not thread-safe); the {@link ClientRuntime} may be shared.
 */
public final class EngineProbe {

    private static final HttpHost TARGET = new HttpHost("http", "127.0.0.1", 8080);
    private static final HttpRoute ROUTE = new HttpRoute(TARGET);
    /** A start time far from any deadline, for the pieces that must not read the clock. */
    private static final long FIXED_NANOS = System.nanoTime();

    private final ClientRuntime runtime;
    private final CallHandler callHandler;
    private final AttemptHandler attemptHandler;
    private final DispatchMarker dispatchMarker = new DispatchMarker();
    private final ClassicHttpRequest request = new BasicClassicHttpRequest("GET", TARGET, "/");
    private final ClassicHttpResponse response = new BasicClassicHttpResponse(200);
    private final StubRuntime execRuntime = new StubRuntime();
    private final HttpClientContext context = HttpClientContext.create();
    private final ExecChain.Scope scope;

    // chain elements below CallHandler, as HttpClient links them (REDIRECT/PROTOCOL/CONNECT/MAIN are
    // replaced by plain forwarding; the transport answers 200)
    private final ExecChain transport = (req, sc) -> response;
    private final ExecChain toDispatchMarker = (req, sc) -> dispatchMarker.execute(req, sc, transport);
    private final ExecChain toAttemptHandler;

    /**
     * @param runtime the client runtime (one per client: policy state, counters, budget, watchdog)
     */
    public EngineProbe(ClientRuntime runtime) {
        this.runtime = runtime;
        this.callHandler = new CallHandler(runtime);
        this.attemptHandler = new AttemptHandler(runtime, false); // as installed for a client without groups
        this.toAttemptHandler = (req, sc) -> attemptHandler.execute(req, sc, toDispatchMarker);
        this.scope = new ExecChain.Scope("ex-1", ROUTE, request, execRuntime, context);
        this.coreCall = new Call(runtime, true);
        this.pieceReusable = new Call(runtime, true);
    }

    /** @return a client runtime with real clocks: starts a deadline thread, close it */
    public static ClientRuntime runtime(ResiliencePolicy policy) {
        return new ClientRuntime(policy, Seams.SYSTEM, List.of(), b -> { });
    }

    /**
     * One call as {@code SturdyHttpClient.execute(request, handler)} makes it on the success path: the
     * body hand-over bracket, then the three handlers with one attempt. Reuses one scope and context.
     *
     * @return the status
     */
    public int call() throws IOException, HttpException {
        return call(scope);
    }

    /**
     * Same as {@link #call()} with a fresh {@link HttpClientContext} and scope per call, as HttpClient
     * creates them: includes what sturdy's context attribute costs on a fresh context (and the context
     * and scope themselves, which raw HttpClient pays too; see {@link #freshContextOnly()}).
     */
    public int callFreshContext() throws IOException, HttpException {
        final HttpClientContext ctx = HttpClientContext.create();
        return call(new ExecChain.Scope("ex-1", ROUTE, request, execRuntime, ctx));
    }

    /** The baseline of {@link #callFreshContext()}: only the context and scope HttpClient allocates anyway. */
    public Object freshContextOnly() {
        final HttpClientContext ctx = HttpClientContext.create();
        return new ExecChain.Scope("ex-1", ROUTE, request, execRuntime, ctx);
    }

    private int call(ExecChain.Scope sc) throws IOException, HttpException {
        // as execute(request, handler) without a context: HttpClient's context is then unseen by the caller
        final Object previous = CallHandler.beforeBodyCall(true);
        final int status;
        try (ClassicHttpResponse r = callHandler.execute(request, sc, toAttemptHandler)) {
            status = r.getCode(); // the caller's response handler would read the body here
        } catch (IOException e) {
            throw CallHandler.afterBodyCall(previous, e);
        }
        CallHandler.afterBodyCall(previous, null);
        return status;
    }

    /** This probe's reusable call for {@link #corePieces()}, as each thread keeps one in the client. */
    private final Call coreCall;

    /**
     * The per-call work of the success path with the core pieces only (no handlers, no thread-local, no
     * context): admit under the in-flight limit (retry-budget tracker), a real {@link Call} re-armed for
     * the call (registered with the deadline watchdog when it is not), the outlier detector's sweep check, the endpoint's ejection state
     * looked up and checked, one attempt armed (not counted in flight on the endpoint: a client without
     * endpoint groups skips that, as nothing reads it), {@code rq_total}
     * counted, the 200 recorded with the detector, the retry decision, the attempt and call ended.
     *
     * @return the decision (NO_RETRY_SUCCESS)
     */
    public RetryDecision corePieces() {
        final PolicyState ps = runtime.state();
        if (!runtime.budget.tryCallStarted(ps.maxRequests)) {
            throw new IllegalStateException("in-flight limit");
        }
        final Call call = coreCall;
        if (call.open(ps, "GET", Call.UNSTAMPED, false)) {
            call.start(runtime.seams.ticker().nanoTime());
            runtime.watch(call);
        }
        try {
            // as AttemptHandler's first attempt: the watchdog's tick time for bookkeeping, no clock read
            final long start = runtime.watchdogNowNanos();
            final OutlierDetector detector = runtime.endpoints.detector;
            EndpointState endpoint = null;
            if (detector != null) {
                detector.sweepIfDue(start);
                endpoint = detector.endpoint(TARGET);
                final long now = detector.mayBeEjected(endpoint) ? runtime.seams.ticker().nanoTime() : start;
                if (detector.isEjected(endpoint, now)) {
                    throw new IllegalStateException("ejected");
                }
            }
            call.attempts++;
            runtime.counters.increment(ResilienceCounter.RQ_TOTAL, TARGET, start);
            call.beginAttempt(execRuntime, TARGET, Call.UNSTAMPED);
            call.sent = true;
            if (endpoint != null) {
                detector.onResponse(endpoint, 200);
            }
            call.respond(response);
            final RetryDecision decision = ps.decider.decide(call, 0);
            call.endAttempt();
            call.clearResponse();
            return decision;
        } finally {
            call.finish();
            runtime.budget.callEnded();
        }
    }

    // ---- one piece at a time, for PolicyStackBreakdownBenchmark ----

    /** The in-flight admission: the budget tracker's CAS in and decrement out. */
    public boolean pieceAdmission() {
        final boolean admitted = runtime.budget.tryCallStarted(runtime.state().maxRequests);
        runtime.budget.callEnded();
        return admitted;
    }

    /** One reading of the client's monotonic clock (sturdy's classic success path no longer reads it). */
    public long pieceNanoTime() {
        return runtime.seams.ticker().nanoTime();
    }

    /** A {@link Call} constructed only: its allocation and constructor, no attempt, no watchdog. */
    public Object pieceCallConstructed() {
        return new Call(runtime, runtime.state(), "GET", FIXED_NANOS, false);
    }

    /**
     * A {@link Call} with one attempt armed and ended (its volatile stores and CAS), never registered with
     * the watchdog. Uses a fixed time instead of reading the clock, which {@link #pieceNanoTime()} prices.
     */
    public Object pieceCallUnwatched() {
        final PolicyState ps = runtime.state();
        final Call call = new Call(runtime, ps, "GET", FIXED_NANOS, false);
        call.beginAttempt(execRuntime, TARGET, FIXED_NANOS);
        call.endAttempt();
        call.finish();
        return call;
    }

    /** The same, registered with the deadline watchdog as every call is. */
    public Object pieceCallWatched() {
        final PolicyState ps = runtime.state();
        final Call call = new Call(runtime, ps, "GET", FIXED_NANOS, false);
        runtime.watch(call);
        call.beginAttempt(execRuntime, TARGET, FIXED_NANOS);
        call.endAttempt();
        call.finish();
        return call;
    }

    /**
     * The ejection work of one attempt on the success path, as {@code AttemptHandler} does it with a
     * circuit breaker in the policy and no endpoint group: sweep check, endpoint state look-up, ejection
     * check, the 200 recorded (the in-flight count is kept only for groups' least-outstanding balancing).
     * Uses a fixed time (see {@link #pieceNanoTime()}).
     */
    public Object pieceEjection() {
        final OutlierDetector detector = runtime.endpoints.detector;
        if (detector == null) {
            return null;
        }
        detector.sweepIfDue(FIXED_NANOS);
        final EndpointState endpoint = detector.endpoint(TARGET);
        if (detector.isEjected(endpoint, FIXED_NANOS)) {
            throw new IllegalStateException("ejected");
        }
        detector.onResponse(endpoint, 200);
        return endpoint;
    }

    /**
     * The thread's reusable {@link Call} (as the client keeps one per thread) re-armed, one attempt armed
     * and ended, the call finished: what the success path now does instead of {@link #pieceCallWatched()}.
     * Reads no clock, as the success path (the watchdog stamps the start).
     */
    public Object pieceCallReused() {
        final Call call = pieceReusable;
        if (call.open(runtime.state(), "GET", Call.UNSTAMPED, false)) {
            call.start(FIXED_NANOS);
            runtime.watch(call);
        }
        call.beginAttempt(execRuntime, TARGET, Call.UNSTAMPED);
        call.endAttempt();
        call.finish();
        return call;
    }

    private Call pieceReusable;

    /**
     * {@code rq_total} counted for the client and the endpoint, with the caller's time as the request
     * path passes it (see {@link #pieceNanoTime()} for a clock read).
     */
    public void pieceCounter() {
        runtime.counters.increment(ResilienceCounter.RQ_TOTAL, TARGET, FIXED_NANOS);
    }

    private Call reusedCall;

    /** The retry decision on a 200 (one reused call as the attempt view). */
    public RetryDecision pieceDecide() {
        Call call = reusedCall;
        if (call == null) {
            call = reusedCall = new Call(runtime, runtime.state(), "GET", 0, false);
            call.respond(response);
        }
        return runtime.state().decider.decide(call, 0);
    }

    /** The thread-local look-ups of one call: body bracket (2), CallHandler, AttemptHandler, DispatchMarker. */
    public Object pieceThreadLocal() {
        CallSlot.get();
        CallSlot.get();
        CallSlot.get();
        CallSlot.get();
        return CallSlot.get();
    }

    /** sturdy's context work per call: read the override attribute, write the attempts attribute. */
    public Object pieceContextAttribute() {
        final Object override = context.getAttribute(CallHandler.RETRY_NON_IDEMPOTENT_ATTRIBUTE);
        context.setAttribute(CallHandler.ATTEMPTS_ATTRIBUTE, 1);
        return override;
    }

    /** The same on a fresh context, as HttpClient creates one per call (includes the context itself). */
    public Object pieceContextAttributeFresh() {
        final HttpClientContext ctx = HttpClientContext.create();
        ctx.getAttribute(CallHandler.RETRY_NON_IDEMPOTENT_ATTRIBUTE);
        ctx.setAttribute(CallHandler.ATTEMPTS_ATTRIBUTE, 1);
        return ctx;
    }

    /** The baseline of {@link #pieceContextAttributeFresh()}: the fresh context alone. */
    public Object pieceContextOnly() {
        return HttpClientContext.create();
    }

    /** An exec runtime that is never aborted and has nothing to cancel; the stub transport ignores it. */
    private static final class StubRuntime implements ExecRuntime, Cancellable {
        @Override public boolean isExecutionAborted() { return false; }
        @Override public boolean isEndpointAcquired() { return true; }
        @Override public void acquireEndpoint(String id, HttpRoute route, Object state, HttpClientContext c) { }
        @Override public void releaseEndpoint() { }
        @Override public void discardEndpoint() { }
        @Override public boolean isEndpointConnected() { return true; }
        @Override public void disconnectEndpoint() { }
        @Override public void connectEndpoint(HttpClientContext c) { }
        @Override public void upgradeTls(HttpClientContext c) { }
        @Override public EndpointInfo getEndpointInfo() { return null; }
        @Override public ClassicHttpResponse execute(String id, ClassicHttpRequest r, HttpClientContext c) {
            throw new UnsupportedOperationException();
        }
        @Override public boolean isConnectionReusable() { return true; }
        @Override public void markConnectionReusable(Object state, TimeValue validDuration) { }
        @Override public void markConnectionNonReusable() { }
        @Override public ExecRuntime fork(CancellableDependency dependency) { return this; }
        @Override public boolean cancel() { return false; }
    }
}
