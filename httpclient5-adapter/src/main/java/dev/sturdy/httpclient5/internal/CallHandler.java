package dev.sturdy.httpclient5.internal;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.PoolOverflowException;
import dev.sturdy.event.ResilienceCounter;
import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;

/**
 * The outermost handler: one per call, around every redirect hop. Admits the call under the client's
 * in-flight limit ({@code http2MaxRequests}, refused at once when full), starts its deadline, counts it
 * as active for the retry budget and, when the call ends, records the number of attempts in the
 * context. When the caller reads the body inside the call ({@code execute(request, handler)} on a
 * {@code SturdyHttpClient}), the call stays open until the handler is done.
 */
public final class CallHandler implements ExecChainHandler {

    /** Context attribute: the number of attempts of the last call ({@code Integer}). */
    public static final String ATTEMPTS_ATTRIBUTE = "dev.sturdy.attempts";
    /** Context attribute: {@code Boolean.TRUE} to allow retrying a non-idempotent request for this call. */
    public static final String RETRY_NON_IDEMPOTENT_ATTRIBUTE = "dev.sturdy.retryNonIdempotent";

    private final ClientRuntime runtime;

    CallHandler(ClientRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        final HttpClientContext context = scope.clientContext;
        final PolicyState ps = runtime.state();
        if (!runtime.budget.tryCallStarted(ps.maxRequests)) {
            final HttpHost target = scope.route.getTargetHost();
            runtime.counters.increment(ResilienceCounter.RQ_PENDING_OVERFLOW, target);
            throw Admission.overflow(PoolOverflowException.Limit.MAX_REQUESTS,
                    request.getMethod() + " " + Events.endpoint(target),
                    ps.maxRequests + " requests already in flight (http2MaxRequests " + ps.maxRequests + ")");
        }
        final CallSlot slot = CallSlot.get();
        final boolean coversBody = slot.coversBody;
        final boolean contextUnseen = slot.contextUnseen;
        slot.coversBody = false; // calls nested inside this one do not inherit these
        slot.contextUnseen = false;
        Call call = slot.spare;
        final boolean register;
        if (call != null && call.runtime == runtime && call.available()) {
            // the success path: this thread's reusable call, still registered with the watchdog, which
            // stamps the call's start on its next tick (no clock read here)
            register = call.open(ps, request.getMethod(), Call.UNSTAMPED, coversBody);
        } else if (call == null || call.available()) {
            // first call on this thread, or the thread's reusable call belongs to another client
            call = new Call(runtime, true);
            slot.spare = call;
            register = call.open(ps, request.getMethod(), Call.UNSTAMPED, coversBody);
        } else {
            // the thread's reusable call is open: a call made inside another call's response handler
            call = new Call(runtime, ps, request.getMethod(), Call.UNSTAMPED, coversBody);
            register = true;
        }
        call.retryNonIdempotentOverride = context.getAttribute(RETRY_NON_IDEMPOTENT_ATTRIBUTE) == Boolean.TRUE;
        final Call outer = slot.current;
        slot.current = call;
        if (register) {
            // the watchdog may be parked and wakes up on registration: stamp the start exactly
            call.start(runtime.seams.ticker().nanoTime());
            runtime.watch(call);
        }
        boolean handedOver = false;
        try {
            final ClassicHttpResponse response = chain.proceed(request, scope);
            if (coversBody) {
                slot.handedOver = call;
                handedOver = true;
            }
            return response;
        } finally {
            slot.current = outer;
            if (!contextUnseen) {
                context.setAttribute(ATTEMPTS_ATTRIBUTE, call.attempts);
            }
            if (!handedOver) {
                end(call);
            }
        }
    }

    /**
     * Marks the next call on this thread as covering the reading of its body (the caller reads it
     * inside {@code execute(request, handler)}).
     *
     * @param contextUnseen true when the caller passed no context (the attempts need not be recorded)
     * @return the previous setting, to give back to {@link #afterBodyCall(Object, IOException)}
     */
    public static Object beforeBodyCall(boolean contextUnseen) {
        final CallSlot slot = CallSlot.get();
        final Call previous = slot.handedOver;
        slot.handedOver = null;
        slot.coversBody = true;
        slot.contextUnseen = contextUnseen;
        // with nothing to restore (no enclosing body call), hand back the slot itself: saves a look-up
        return previous == null ? slot : previous;
    }

    /**
     * Ends the call whose body the caller has finished reading (if the chain handed one over) and
     * restores the thread's previous state.
     *
     * @param previous what {@link #beforeBodyCall(boolean)} returned
     * @param failure  the I/O error the caller saw, or null
     * @return the exception to throw: a {@link DeadlineExceededException} when the overall deadline
     *         fired while the call was open, otherwise {@code failure}
     */
    public static IOException afterBodyCall(Object previous, IOException failure) {
        final CallSlot slot;
        if (previous instanceof CallSlot) {
            slot = (CallSlot) previous;
            previous = null;
        } else {
            slot = CallSlot.get();
        }
        final Call call = slot.handedOver;
        slot.handedOver = (Call) previous;
        slot.coversBody = false;
        slot.contextUnseen = false;
        if (call == null) {
            return failure;
        }
        final boolean fired = call.deadlineFired();
        if (failure == null || !fired || failure instanceof DeadlineExceededException) {
            end(call);
            return failure;
        }
        // read before the call ends: the thread's next call re-arms the same object
        final DeadlineExceededException e = new DeadlineExceededException(
                Events.endpoint(call.target()), call.method, call.state.responseTimeout, call.attempts);
        end(call);
        e.initCause(failure);
        return e;
    }

    private static void end(Call call) {
        call.finish();
        call.runtime.budget.callEnded();
        if (call.leaseEscaped && call.reusable) {
            // a request may still hold this call as its cancellable: the thread takes a new call next time
            final CallSlot slot = CallSlot.get();
            if (slot.spare == call) {
                slot.spare = null;
            }
        }
    }
}
