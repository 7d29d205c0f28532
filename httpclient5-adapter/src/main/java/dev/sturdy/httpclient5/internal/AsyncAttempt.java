package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.TimeoutKind;
import dev.sturdy.internal.ejection.EndpointState;
import java.util.concurrent.Future;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;

/**
 * One attempt of an {@link AsyncCall}: its future (what the watchdog cancels), its per-try deadline,
 * which timeout cancelled it, and whether its response went to the caller or is discarded for a retry.
 * Receives the attempt's outcome from HttpClient and hands it to the call.
 */
final class AsyncAttempt<T> implements FutureCallback<T> {

    final AsyncCall<T> call;
    final AsyncAttemptConsumer<T> consumer;
    final long perTryDeadlineNanos;
    volatile boolean perTryArmed;
    volatile TimeoutKind fired;
    volatile Future<T> future;
    volatile boolean ended;
    /** The response head went to the caller's consumer: the call ends with this attempt. */
    volatile boolean handedOver;
    /** The retry decided on this attempt's response head, run once its body is discarded. */
    volatile AsyncCall.PlannedRetry retry;
    /** The endpoint this attempt went to (when the client tracks endpoints): told when it ends. */
    volatile EndpointState endpoint;

    AsyncAttempt(AsyncCall<T> call, AsyncResponseConsumer<T> callerConsumer, long perTryDeadlineNanos, boolean perTryArmed) {
        this.call = call;
        this.consumer = new AsyncAttemptConsumer<>(this, callerConsumer);
        this.perTryDeadlineNanos = perTryDeadlineNanos;
        this.perTryArmed = perTryArmed;
    }

    @Override
    public void completed(T result) {
        ended = true;
        endpointDone();
        call.onCompleted(this, result, retry);
    }

    @Override
    public void failed(Exception failure) {
        ended = true;
        endpointDone();
        call.onFailed(this, failure, handedOver);
    }

    @Override
    public void cancelled() {
        ended = true;
        endpointDone();
        call.onFailed(this, null, handedOver);
    }

    private void endpointDone() {
        final EndpointState e = endpoint;
        if (e != null) {
            e.requestEnded(); // HttpClient calls one of the three callbacks, once
        }
    }
}
