/**
 * sturdy's public API: immutable resiliency policy values, as in an Azure Container Apps resiliency
 * policy (and the Envoy features behind it).
 *
 * <ul>
 *   <li>{@link dev.sturdy.ResiliencePolicy}: the whole policy of one client, with
 *       {@link dev.sturdy.ResiliencePolicy#recommended()} and {@link dev.sturdy.ResiliencePolicy#none()}.</li>
 *   <li>{@link dev.sturdy.TimeoutPolicy}: connect, overall and per-try timeouts.</li>
 *   <li>{@link dev.sturdy.HttpRetryPolicy}: retries with jittered backoff, {@link dev.sturdy.RetryOn}
 *       conditions, {@link dev.sturdy.HeaderMatch} header matchers and a {@link dev.sturdy.RetryBudget}.</li>
 *   <li>{@link dev.sturdy.TcpRetryPolicy}: connect attempts.</li>
 *   <li>{@link dev.sturdy.CircuitBreakerPolicy}: outlier ejection per endpoint.</li>
 *   <li>{@link dev.sturdy.ConnectionPoolPolicy}: connection and admission limits.</li>
 *   <li>{@link dev.sturdy.EndpointGroup}: a logical service spread over several replicas, with an
 *       optional {@link dev.sturdy.HealthCheckPolicy}.</li>
 * </ul>
 *
 * <p>What a client throws when it refuses a call itself: {@link dev.sturdy.DeadlineExceededException},
 * {@link dev.sturdy.PerTryTimeoutException}, {@link dev.sturdy.PoolOverflowException},
 * {@link dev.sturdy.EndpointEjectedException}.
 *
 * <p>Every policy is a final, immutable class with a {@code builder()}, {@code toBuilder()}, value
 * equality and a {@code toString} showing every setting; every default is a {@code DEFAULT_*} constant.
 * Bad values are refused when set or built, with one message format naming the field, the value and
 * what was expected: {@code maxRetries: -1 (expected: >= 0)}. Setters throw
 * {@link java.lang.IllegalArgumentException} (or {@link java.lang.NullPointerException} for null);
 * cross-field checks in {@code build()} throw {@link java.lang.IllegalStateException}.
 *
 * <p>Durations are {@link java.time.Duration}s. Methods never return null.
 */
package dev.sturdy;
