package dev.sturdy.httpclient5.internal;

import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

/**
 * The outermost handler: one per call, around every redirect hop. Starts the call's deadline, counts
 * it as active for the retry budget and, when the call ends, records the number of attempts in the
 * context. When the caller reads the body inside the call ({@code execute(request, handler)} on a
 * {@code SturdyHttpClient}), the call stays open until the handler is done.
 */
public final class CallHandler implements ExecChainHandler {

    /** Context attribute: the number of attempts of the last call ({@code Integer}). */
    public static final String ATTEMPTS_ATTRIBUTE = "dev.sturdy.attempts";
    /** Context attribute: {@code Boolean.TRUE} when the call covers the reading of the body. */
    public static final String COVERS_BODY_ATTRIBUTE = "dev.sturdy.coversBody";
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
        final boolean coversBody = context.getAttribute(COVERS_BODY_ATTRIBUTE) == Boolean.TRUE;
        final Call call = new Call(runtime, runtime.state(), request.getMethod(),
                runtime.seams.ticker().nanoTime(), coversBody);
        call.retryNonIdempotentOverride = context.getAttribute(RETRY_NON_IDEMPOTENT_ATTRIBUTE) == Boolean.TRUE;
        context.setAttribute(Call.ATTRIBUTE, call);
        runtime.budget.callStarted();
        runtime.watch(call);
        boolean handedOver = false;
        try {
            final ClassicHttpResponse response = chain.proceed(request, scope);
            handedOver = coversBody;
            return response;
        } finally {
            context.setAttribute(ATTEMPTS_ATTRIBUTE, call.attempts);
            if (!handedOver) {
                end(call, context);
            }
        }
    }

    /**
     * Ends the call whose body the caller has finished reading.
     *
     * @param context the call's context
     * @return true if the overall deadline fired while the call was open
     */
    public static boolean endCall(HttpClientContext context) {
        final Object call = context.getAttribute(Call.ATTRIBUTE);
        if (call instanceof Call) {
            final Call c = (Call) call;
            final boolean fired = c.deadlineFired();
            end(c, context);
            return fired;
        }
        return false;
    }

    /**
     * Builds the exception for a call whose deadline fired while the caller read the body.
     *
     * @param context the call's context
     * @param cause   the I/O error the cancellation caused
     * @return the deadline exception, or {@code cause} when the deadline did not fire
     */
    public static IOException deadlineOrCause(HttpClientContext context, IOException cause) {
        final Object call = context.getAttribute(Call.ATTRIBUTE);
        if (call instanceof Call && ((Call) call).deadlineFired()) {
            final Call c = (Call) call;
            final dev.sturdy.DeadlineExceededException e = new dev.sturdy.DeadlineExceededException(
                    Events.endpoint(c.target()), c.method, c.state.responseTimeout, c.attempts);
            e.initCause(cause);
            return e;
        }
        return cause;
    }

    private static void end(Call call, HttpClientContext context) {
        call.finish();
        call.runtime.budget.callEnded();
        context.removeAttribute(Call.ATTRIBUTE);
    }
}
