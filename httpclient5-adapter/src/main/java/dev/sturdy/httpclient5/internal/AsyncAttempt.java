package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.TimeoutKind;
import dev.sturdy.internal.ejection.EndpointState;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
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
    /** HttpClient's runtime of this attempt's exchange (its connection lease), set when it enters the chain. */
    volatile AsyncExecRuntime execRuntime;
    /** HttpClient's id of this attempt's exchange (kept across its redirects), set with {@link #execRuntime}. */
    volatile String exchangeId;

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
        releaseConnection();
        call.onFailed(this, null, handedOver);
    }

    /**
     * Gives back the connection of a cancelled attempt (watchdog, caller or close), closing it, as
     * HttpClient does when the cancel reaches the exchange. It may not: httpcore's {@code ComplexFuture}
     * can lose a cancel that races with the exchange registering itself as the future's dependency
     * (seen: about one per-try timeout in five on a loaded machine kept its connection leased until the
     * socket timeout). With HttpClient's experimental HTTP/2 message multiplexing, the connection may
     * carry other streams, which then fail too (README "Async client"); sturdy leaves multiplexing off.
     * (A redirect to another route forks the runtime: the fork's lease is left to HttpClient.)
     */
    private void releaseConnection() {
        final AsyncExecRuntime runtime = execRuntime;
        if (runtime != null) {
            try {
                runtime.discardEndpoint();
            } catch (RuntimeException ignored) {
                // already released by HttpClient: nothing to give back
            }
        }
    }

    private void endpointDone() {
        final EndpointState e = endpoint;
        if (e != null) {
            e.requestEnded(); // HttpClient calls one of the three callbacks, once
        }
    }
}
