package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;

/**
 * Entry point: build an HttpClient 5 async client that follows a {@link ResiliencePolicy}.
 *
 * <pre>{@code
 * try (SturdyHttpAsyncClient client = SturdyHttpAsyncClients.custom(ResiliencePolicy.recommended()).build()) {
 *     client.start();
 *     SimpleHttpResponse r = client.execute(SimpleRequestBuilder.get("http://orders/api/1").build(), null).get();
 * }
 * }</pre>
 *
 * <p>The client runs each attempt on an HttpClient async client built from the builder (with every
 * setting given to it), and runs the retry loop around the attempts: overall deadline and per-try
 * timeout enforced by sturdy's watchdog (cancelling the attempt in flight), retries with backoff or
 * Retry-After on one shared timer thread, the idempotency rules, the retry budget, TCP connect
 * retries, and the same events, counters and logs as the classic client. HTTP/2 {@code REFUSED_STREAM}
 * and GOAWAY before processing are retried for any method.
 *
 * <p>Not yet in the async client: outlier ejection and endpoint groups, and the pending-request limit
 * ({@code http1MaxPendingRequests}); {@code http2MaxRequests} limits the calls in flight.
 *
 * <p>Thread-safety: thread-safe; each call returns a new builder.
 */
public final class SturdyHttpAsyncClients {

    private SturdyHttpAsyncClients() {
    }

    /**
     * A new async client builder with the policy; {@code build()} returns a {@link SturdyHttpAsyncClient}.
     *
     * @param policy the policy every call follows
     * @return a builder; set any further HttpClient option on it before {@code build()}
     */
    public static SturdyHttpAsyncClientBuilder custom(ResiliencePolicy policy) {
        return new SturdyHttpAsyncClientBuilder(policy);
    }
}
