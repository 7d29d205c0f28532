package dev.sturdy.httpclient5.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Stands in front of the caller's response consumer for one attempt. On the response head it asks
 * the call whether the response ends the call: if so, everything goes to the caller's consumer from
 * then on; if the call retries, the body is read and dropped (so an HTTP/1.1 connection stays
 * reusable) and the attempt completes with no result. The caller's consumer is released only once,
 * by the attempt that handed it a response, or by the call when it ends without one.
 */
final class AsyncAttemptConsumer<T> implements AsyncResponseConsumer<T> {

    private final AsyncAttempt<T> attempt;
    private final AsyncResponseConsumer<T> delegate;
    private volatile FutureCallback<T> discarded; // non-null while the body of a retried response is dropped

    AsyncAttemptConsumer(AsyncAttempt<T> attempt, AsyncResponseConsumer<T> delegate) {
        this.attempt = attempt;
        this.delegate = delegate;
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entityDetails, HttpContext context,
                                FutureCallback<T> resultCallback) throws HttpException, IOException {
        final AsyncCall.PlannedRetry retry = attempt.call.onResponseHead(attempt, response);
        if (retry != null) {
            attempt.retry = retry;
            if (entityDetails == null) {
                resultCallback.completed(null);
            } else {
                discarded = resultCallback;
            }
            return;
        }
        attempt.handedOver = true;
        delegate.consumeResponse(response, entityDetails, context, resultCallback);
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) throws HttpException, IOException {
        delegate.informationResponse(response, context);
    }

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
        if (discarded != null) {
            capacityChannel.update(Integer.MAX_VALUE);
        } else if (attempt.handedOver) {
            delegate.updateCapacity(capacityChannel);
        }
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
        if (discarded != null) {
            src.position(src.limit());
        } else {
            delegate.consume(src);
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
        final FutureCallback<T> d = discarded;
        if (d != null) {
            d.completed(null);
        } else {
            delegate.streamEnd(trailers);
        }
    }

    @Override
    public void failed(Exception cause) {
        if (attempt.handedOver) {
            delegate.failed(cause);
        }
    }

    @Override
    public void releaseResources() {
        if (attempt.handedOver) {
            attempt.call.releaseConsumer();
        }
    }
}
