package dev.sturdy.httpclient5.internal;

import java.io.IOException;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * The two places in the async exec chain where sturdy sees an attempt; the
 * attempt's {@link AsyncCall} is found in the exchange's context.
 * <ul>
 *   <li>{@link #ATTEMPT}, added first (before {@code REDIRECT}): the attempt starts; its route is known,
 *       so the call chooses the endpoint ({@link AsyncCall#route}: a group member, or the service unless
 *       ejected), which may replace the route's target, and counts {@code rq_total} on it.</li>
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
        final AsyncCall<?> call = AsyncCall.of(scope.clientContext);
        if (call != null) {
            if (dispatch) {
                if (!call.dispatching(scope.exchangeId)) {
                    // its attempt was cancelled while the connection was set up (a cancel can miss an
                    // exchange that registers itself at that moment): fail it, which frees the connection
                    callback.failed(new java.io.InterruptedIOException("Request cancelled before it was sent"));
                    return;
                }
            } else {
                // choose the endpoint (may fail fast when all are ejected) and count the attempt
                chain.proceed(request, entityProducer, call.route(scope, request), callback);
                return;
            }
        }
        chain.proceed(request, entityProducer, scope, callback);
    }
}
