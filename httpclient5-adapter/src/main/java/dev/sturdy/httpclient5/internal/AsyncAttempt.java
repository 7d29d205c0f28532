package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.TimeoutKind;
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

    AsyncAttempt(AsyncCall<T> call, AsyncResponseConsumer<T> callerConsumer, long perTryDeadlineNanos, boolean perTryArmed) {
        this.call = call;
        this.consumer = new AsyncAttemptConsumer<>(this, callerConsumer);
        this.perTryDeadlineNanos = perTryDeadlineNanos;
        this.perTryArmed = perTryArmed;
    }

    @Override
    public void completed(T result) {
        ended = true;
        call.onCompleted(this, result, retry);
    }

    @Override
    public void failed(Exception failure) {
        ended = true;
        call.onFailed(this, failure, handedOver);
    }

    @Override
    public void cancelled() {
        ended = true;
        call.onFailed(this, null, handedOver);
    }
}
