package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.ResilienceCounter;
import java.io.IOException;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * The two places in the async exec chain where sturdy looks at an attempt without changing it; the
 * attempt's {@link AsyncCall} is found in the exchange's context.
 * <ul>
 *   <li>{@link #ATTEMPT}, added first (before {@code REDIRECT}): the attempt starts; records its target
 *       (the real route, known before anything is sent) and counts {@code rq_total} on it.</li>
 *   <li>{@link #DISPATCH}, added last (just before {@code MAIN_TRANSPORT}): the connection and its TLS
 *       session are established and the request is about to be written. A failure before this point
 *       provably never reached the server; one after it may have been processed.</li>
 * </ul>
 */
final class AsyncChainMarker implements AsyncExecChainHandler {

    static final AsyncChainMarker ATTEMPT = new AsyncChainMarker(false);
    static final AsyncChainMarker DISPATCH = new AsyncChainMarker(true);

    private final boolean dispatch;

    private AsyncChainMarker(boolean dispatch) {
        this.dispatch = dispatch;
    }

    @Override
    public void execute(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
                        AsyncExecChain chain, AsyncExecCallback callback) throws HttpException, IOException {
        final Object attr = scope.clientContext.getAttribute(AsyncCall.CONTEXT_ATTRIBUTE);
        if (attr instanceof AsyncCall) {
            final AsyncCall<?> call = (AsyncCall<?>) attr;
            if (dispatch) {
                call.dispatched = true;
            } else {
                call.target = scope.route.getTargetHost();
                call.method(request.getMethod());
                if (call.countsAttempt) { // a TCP connect retry re-runs the same attempt: not counted again
                    call.async.runtime.counters.increment(ResilienceCounter.RQ_TOTAL, call.target);
                }
            }
        }
        chain.proceed(request, entityProducer, scope, callback);
    }
}
