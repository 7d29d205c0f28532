package dev.sturdy.httpclient5.internal;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.EndpointEjectedException;
import dev.sturdy.PerTryTimeoutException;
import dev.sturdy.event.DelaySource;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.TimeoutKind;
import dev.sturdy.internal.ejection.EndpointSelector;
import dev.sturdy.internal.ejection.EndpointState;
import dev.sturdy.internal.ejection.OutlierDetector;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.retry.RetryDecision;
import dev.sturdy.internal.runtime.Counters;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * The retry loop of one redirect hop, installed just before {@code PROTOCOL}: runs attempts, sorts
 * their outcomes, applies connect retries, HTTP retries with backoff or Retry-After, the idempotency
 * rules and the retry budget, and arms each attempt's deadline.
 */
final class AttemptHandler implements ExecChainHandler {

    /** Responses at most this long are read to the end before a retry so their connection is reused. */
    private static final long MAX_DRAINED_BODY = 64 * 1024;
    /** Backoff waits are cut into slices of at most this length to notice an aborted request. */
    private static final long ABORT_CHECK_NANOS = 50_000_000L;

    private final ClientRuntime runtime;
    /**
     * Whether attempts are counted in flight on their endpoint ({@link EndpointState#requestStarted()}):
     * only least-outstanding balancing reads that count, so a client without endpoint groups skips the
     * two atomic updates per attempt.
     */
    private final boolean countOutstanding;

    /**
     * @param runtime          the client runtime
     * @param countOutstanding false when the client has no endpoint group (nothing reads the count)
     */
    AttemptHandler(ClientRuntime runtime, boolean countOutstanding) {
        this.runtime = runtime;
        this.countOutstanding = countOutstanding;
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        final Call call = CallSlot.get().current;
        if (call == null) {
            return chain.proceed(request, scope); // not one of our calls (cannot happen when installed by sturdy)
        }
        final PolicyState ps = call.state;
        final String method = request.getMethod(); // this hop's method: idempotency is judged on what is sent
        if (call.method != method) { // a volatile field: no store (and fence) when it is the call's method
            call.method = method;
        }
        final HttpHost service = scope.route.getTargetHost();
        final OutlierDetector detector = runtime.endpoints.detector;
        final EndpointSelector group = detector == null ? null : runtime.endpoints.group(service);
        final Cancellable exchange = scope.execRuntime instanceof Cancellable ? (Cancellable) scope.execRuntime : null;
        final Counters counters = runtime.counters;
        final HttpEntity body = scope.originalRequest.getEntity();
        call.bodyRepeatable = body == null || body.isRepeatable();

        ClassicHttpRequest attemptRequest = request;
        HttpHost target = service; // the endpoint of the current attempt (a group member, or the service)
        ExecChain.Scope attemptScope = scope;
        EndpointState endpointState = null;
        long tried = 0L; // group members tried in this call (Envoy previous_hosts)
        int retries = 0;
        int connectFailures = 0;
        boolean holdingBudget = false;
        List<Exception> earlier = null;
        try {
            while (true) {
                if (scope.execRuntime.isExecutionAborted()) {
                    throw withSuppressed(new InterruptedIOException("Request aborted"), earlier);
                }
                // The first attempt of a call reads no clock: it starts when the call did (its per-try
                // deadline runs from the call's start, which the watchdog stamps), and its bookkeeping
                // (the endpoint's last use, whether a sweep is due) takes the watchdog's latest tick time.
                // Whatever decides on the time itself (group selection, an ejection's end) reads the clock.
                final boolean first = call.attempts == 0;
                final long start;
                if (first) {
                    start = runtime.watchdogNowNanos();
                } else {
                    start = runtime.seams.ticker().nanoTime();
                    if (call.remainingNanos(start) <= 0) {
                        throw deadlineExceeded(call, target, earlier, null);
                    }
                }
                if (connectFailures == 0 && detector != null) {
                    // choose the endpoint: a non-ejected group member, or the service itself if not ejected
                    runtime.endpoints.start();
                    detector.sweepIfDue(start);
                    if (group != null) {
                        final long now = first ? runtime.seams.ticker().nanoTime() : start;
                        final int member = group.select(tried, now);
                        if (member == EndpointSelector.NONE) {
                            throw rejected(call, service, group.ejectedException(now), earlier);
                        }
                        tried |= 1L << member;
                        endpointState = group.member(member);
                        target = (HttpHost) group.key(member); // keys are the members' HttpHosts
                        attemptScope = memberScope(scope, target);
                        if (scope.route.getProxyHost() != null && !attemptScope.route.isTunnelled()) {
                            // a plain proxy resolves the request's authority itself: name the member
                            attemptRequest.setAuthority(new URIAuthority(target));
                        }
                    } else if (detector.passiveEjection()) {
                        endpointState = detector.endpoint(service);
                        final long now = first && detector.mayBeEjected(endpointState)
                                ? runtime.seams.ticker().nanoTime() : start;
                        if (detector.isEjected(endpointState, now)) {
                            throw rejected(call, service, detector.ejectedException(endpointState, now), earlier);
                        }
                    }
                }
                if (connectFailures == 0) {
                    call.attempts++;
                    counters.increment(ResilienceCounter.RQ_TOTAL, target, start);
                }
                call.beginAttempt(exchange, target, first ? Call.UNSTAMPED : start);
                ClassicHttpResponse response = null;
                Exception failure = null;
                final EndpointState outstanding = countOutstanding ? endpointState : null;
                if (outstanding != null) {
                    outstanding.requestStarted();
                }
                try {
                    response = chain.proceed(attemptRequest, attemptScope);
                } catch (IOException | HttpException | RuntimeException e) {
                    failure = Failures.unwrapOverflow(e);
                } finally {
                    if (outstanding != null) {
                        outstanding.requestEnded();
                    }
                }
                if (holdingBudget) { // the retry that held the slot has completed
                    runtime.budget.release();
                    holdingBudget = false;
                }

                if (response != null) {
                    if (endpointState != null) {
                        detector.onResponse(endpointState, response.getCode());
                    }
                    call.respond(response);
                    final RetryDecision decision = decide(ps, call, retries);
                    if (decision != RetryDecision.NO_RETRY_SUCCESS) { // a failed outcome, e.g. 503
                        Events.attemptFailed(ps, call.method, target, call.attempts, "status " + response.getCode());
                    }
                    long delay = -1;
                    DelaySource source = null;
                    String stop = null;
                    if (decision.retry()) {
                        final long retryAfter = ps.decider.retryAfterNanos(call, runtime.seams.ticker().epochMillis());
                        if (retryAfter >= 0) {
                            delay = retryAfter;
                            source = DelaySource.RETRY_AFTER;
                        } else {
                            delay = ps.backoff.delayNanos(retries + 1, runtime.seams.random().nextDouble());
                            source = DelaySource.BACKOFF;
                        }
                        stop = admitRetry(call, target, group == null ? endpointState : null, delay);
                    }
                    if (!decision.retry() || stop != null) {
                        // this response ends the call
                        if (decision == RetryDecision.NO_RETRY_SUCCESS) {
                            if (retries > 0) {
                                counters.increment(ResilienceCounter.RQ_RETRY_SUCCESS, target);
                            }
                        } else { // a failed outcome (e.g. 503) that is not retried further
                            exhausted(ps, call, target, decision, stop);
                        }
                        if (call.coversBody) {
                            call.bodyPhase();
                            call.clearResponse();
                            return response;
                        }
                        final TimeoutKind fired = call.endAttempt();
                        call.clearResponse();
                        if (fired == null) {
                            return response;
                        }
                        closeQuietly(response);
                        failure = timeoutFailure(call, target, fired, null, earlier);
                        throw (IOException) failure;
                    }
                    // retry after a response: take the budget slot, release the response, wait
                    holdingBudget = true;
                    final String outcome = "status " + response.getCode();
                    release(response, scope);
                    call.clearResponse();
                    final TimeoutKind fired = call.endAttempt();
                    if (fired == TimeoutKind.OVERALL) {
                        throw deadlineExceeded(call, target, earlier, null);
                    }
                    retries = scheduleRetry(ps, call, target, decision, retries, delay, source, outcome, scope, earlier);
                    attemptRequest = freshCopy(request, scope);
                    continue;
                }

                // the attempt failed with an exception
                final TimeoutKind fired = call.endAttempt();
                final boolean aborted = scope.execRuntime.isExecutionAborted();
                if (aborted) {
                    // The caller cancelled the request. If it did so while the request held this call as
                    // its lease handle, its cancel may still be on its way to the handle (a canceller
                    // thread preempted between marking the request and cancelling the handle): this
                    // call must not be reused, or that late cancel would end the thread's next lease.
                    call.leaseEscaped = true;
                }
                if (fired == TimeoutKind.OVERALL || call.remainingNanos(runtime.seams.ticker().nanoTime()) <= 0) {
                    throw deadlineExceeded(call, target, earlier, failure);
                }
                if (fired == null && aborted && !(failure instanceof InterruptedIOException)) {
                    // the caller cancelled the request: HttpClient may then fail with anything (even
                    // "IllegalStateException: Endpoint not acquired" when the cancel lands between lease
                    // and connect); report it as the abort it is
                    final InterruptedIOException abort = new InterruptedIOException("Request aborted");
                    abort.initCause(failure);
                    failure = abort;
                }
                final FailureClass failureClass;
                if (fired == TimeoutKind.PER_TRY) {
                    final PerTryTimeoutException timeout = new PerTryTimeoutException(Events.endpoint(target),
                            call.method, ps.perTryTimeout, call.attempts);
                    timeout.initCause(failure); // the I/O error the cancellation caused
                    failure = timeout;
                    failureClass = FailureClass.PER_TRY_TIMEOUT;
                } else {
                    failureClass = Failures.classify(failure, call.sent);
                }
                if (failureClass == FailureClass.CONNECT_FAILURE) {
                    counters.increment(ResilienceCounter.CX_CONNECT_FAIL, target);
                    if (++connectFailures < ps.maxConnectAttempts) {
                        earlier = remember(earlier, failure);
                        continue; // TCP connect retry: immediate, does not use up HTTP retries
                    }
                }
                connectFailures = 0;
                if (endpointState != null) {
                    detector.onFailure(endpointState, failureClass); // overflow, cancel and the like do not count
                }
                call.fail(failureClass);
                final String outcome = Failures.describe(failureClass, failure);
                Events.attemptFailed(ps, call.method, target, call.attempts, outcome);
                final RetryDecision decision = decide(ps, call, retries);
                if (!decision.retry()) {
                    exhausted(ps, call, target, decision, null);
                    throw rethrow(withSuppressed(failure, earlier));
                }
                final long delay = ps.backoff.delayNanos(retries + 1, runtime.seams.random().nextDouble());
                final String stop = admitRetry(call, target, group == null ? endpointState : null, delay);
                if (stop != null) {
                    exhausted(ps, call, target, decision, stop);
                    throw rethrow(withSuppressed(failure, earlier));
                }
                holdingBudget = true;
                earlier = remember(earlier, failure);
                retries = scheduleRetry(ps, call, target, decision, retries, delay, DelaySource.BACKOFF, outcome, scope, earlier);
                attemptRequest = freshCopy(request, scope);
            }
        } finally {
            if (holdingBudget) {
                runtime.budget.release();
            }
        }
    }

    /**
     * A new request for the next attempt, built from the caller's original (the one passed down was
     * changed by {@code PROTOCOL}). {@code Accept-Encoding}, added above us by {@code COMPRESS}, is carried
     * over so every attempt sends the same headers.
     */
    static ClassicHttpRequest freshCopy(ClassicHttpRequest passedDown, ExecChain.Scope scope) {
        final ClassicHttpRequest copy = ClassicRequestBuilder.copy(scope.originalRequest).build();
        final Header acceptEncoding = passedDown.getFirstHeader(HttpHeaders.ACCEPT_ENCODING);
        if (acceptEncoding != null && !copy.containsHeader(HttpHeaders.ACCEPT_ENCODING)) {
            copy.addHeader(acceptEncoding);
        }
        return copy;
    }

    /** The scope of an attempt sent to a group member: the client's route with only its target replaced. */
    private static ExecChain.Scope memberScope(ExecChain.Scope scope, HttpHost member) {
        return new ExecChain.Scope(scope.exchangeId, Endpoints.memberRoute(scope.route, member),
                scope.originalRequest, scope.execRuntime, scope.clientContext);
    }

    /** Every endpoint the call could use is ejected: fail fast, nothing is sent, nothing is retried. */
    private static EndpointEjectedException rejected(Call call, HttpHost service, EndpointEjectedException e,
                                                     List<Exception> earlier) {
        Events.circuitRejected(call.state, call.method, service, call.attempts + 1, e.retryAt());
        return withSuppressed(e, earlier);
    }

    private static RetryDecision decide(PolicyState ps, Call call, int retries) {
        return ps.decider == null ? RetryDecision.NO_RETRY_SUCCESS : ps.decider.decide(call, retries);
    }

    /**
     * Checks that a retry after {@code delayNanos} may start: it must begin before the deadline and the
     * retry budget must have room. Takes the budget slot when it returns null.
     *
     * @return null when the retry may go ahead, otherwise why not
     */
    private String admitRetry(Call call, HttpHost target, EndpointState single, long delayNanos) {
        final long now = runtime.seams.ticker().nanoTime();
        if (call.remainingNanos(now) - delayNanos <= 0) {
            return "the retry would start after the response timeout";
        }
        if (single != null && runtime.endpoints.detector.isEjected(single, now)) {
            // this attempt's error ejected the only endpoint: waiting would only end in a rejection
            return "the endpoint is ejected";
        }
        final int refused = runtime.budget.tryAcquire(call.state.retry.budget());
        if (refused >= 0) {
            runtime.counters.increment(ResilienceCounter.RQ_RETRY_OVERFLOW, target);
            Events.budgetExceeded(call.state, call.method, target, call.attempts, runtime.budget.retriesInFlight(), refused);
            return "retry budget exhausted";
        }
        return null;
    }

    private void exhausted(PolicyState ps, Call call, HttpHost target, RetryDecision decision, String stop) {
        if (decision == RetryDecision.NO_RETRY_EXHAUSTED) {
            runtime.counters.increment(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED, target);
        }
        Events.retriesExhausted(ps, call.method, target, call.attempts, stop != null ? stop : decision.reason());
    }

    /** Publishes the retry, waits for its delay and returns the new retry count. */
    private int scheduleRetry(PolicyState ps, Call call, HttpHost target, RetryDecision decision, int retries,
                              long delayNanos, DelaySource source, String outcome, ExecChain.Scope scope,
                              List<Exception> earlier) throws IOException {
        final int retry = retries + 1;
        runtime.counters.increment(ResilienceCounter.RQ_RETRY, target);
        Events.retryScheduled(ps, call.method, target, call.attempts, retry, decision.reason(), delayNanos, source, outcome);
        long left = delayNanos;
        try {
            while (left > 0) {
                final long slice = Math.min(left, ABORT_CHECK_NANOS);
                runtime.seams.sleeper().sleepNanos(slice);
                left -= slice;
                if (scope.execRuntime.isExecutionAborted()) {
                    throw withSuppressed(new InterruptedIOException("Request aborted"), earlier);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            final InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting to retry");
            interrupted.initCause(e);
            throw withSuppressed(interrupted, earlier);
        }
        return retry;
    }

    private DeadlineExceededException deadlineExceeded(Call call, HttpHost target, List<Exception> earlier, Exception last) {
        final DeadlineExceededException e = new DeadlineExceededException(Events.endpoint(target), call.method,
                call.state.responseTimeout, call.attempts);
        if (last != null) {
            e.initCause(last);
        }
        if (call.fired != TimeoutKind.OVERALL) {
            // the watchdog did not see it (between attempts): count it here
            runtime.counters.increment(ResilienceCounter.RQ_TIMEOUT, target);
            Events.timeout(call.state, call.method, target, TimeoutKind.OVERALL, call.state.responseTimeout, call.attempts);
        }
        return withSuppressed(e, earlier);
    }

    private IOException timeoutFailure(Call call, HttpHost target, TimeoutKind fired, Exception cause, List<Exception> earlier) {
        if (fired == TimeoutKind.OVERALL) {
            return deadlineExceeded(call, target, earlier, cause);
        }
        final PerTryTimeoutException e = new PerTryTimeoutException(Events.endpoint(target), call.method,
                call.state.perTryTimeout, call.attempts);
        if (cause != null) {
            e.initCause(cause);
        }
        return withSuppressed(e, earlier);
    }

    private static List<Exception> remember(List<Exception> earlier, Exception failure) {
        final List<Exception> list = earlier == null ? new ArrayList<>(4) : earlier;
        list.add(failure);
        return list;
    }

    static <T extends Exception> T withSuppressed(T failure, List<Exception> earlier) {
        if (earlier != null) {
            for (Exception e : earlier) {
                if (e != failure) {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    private static IOException rethrow(Exception failure) throws HttpException {
        if (failure instanceof IOException) {
            return (IOException) failure;
        }
        if (failure instanceof HttpException) {
            throw (HttpException) failure;
        }
        throw (RuntimeException) failure;
    }

    /**
     * Gives the connection of a response that will be retried back: a short body is read to the end
     * so the connection is reused, anything else drops the connection.
     */
    private static void release(ClassicHttpResponse response, ExecChain.Scope scope) {
        final HttpEntity entity = response.getEntity();
        try {
            if (entity != null) {
                final long length = entity.getContentLength();
                if (length >= 0 && length <= MAX_DRAINED_BODY) {
                    EntityUtils.consume(entity);
                } else {
                    scope.execRuntime.discardEndpoint();
                }
            }
        } catch (IOException | RuntimeException e) {
            scope.execRuntime.discardEndpoint();
        } finally {
            closeQuietly(response);
        }
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        try {
            response.close();
        } catch (IOException | RuntimeException ignored) {
            // the connection is dropped either way
        }
    }
}
