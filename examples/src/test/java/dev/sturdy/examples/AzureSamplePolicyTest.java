package dev.sturdy.examples;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import org.junit.jupiter.api.Test;

class AzureSamplePolicyTest {

    private final ResiliencePolicy policy = AzureSamplePolicy.policy();

    @Test
    void carriesEveryFieldOfTheAzureSample() {
        assertThat(policy.timeouts().responseTimeout()).isEqualTo(ofSeconds(15));
        assertThat(policy.timeouts().connectTimeout()).isEqualTo(ofSeconds(5));
        assertThat(policy.timeouts().perTryTimeout()).isEmpty();

        final HttpRetryPolicy retry = policy.retry().orElseThrow();
        assertThat(retry.maxRetries()).isEqualTo(5);
        assertThat(retry.initialDelay()).isEqualTo(ofMillis(1000));
        assertThat(retry.maxInterval()).isEqualTo(ofMillis(10_000));
        assertThat(retry.headers()).containsExactly(HeaderMatch.exact("x-ms-retriable", "true"));
        assertThat(retry.statusCodes()).containsExactly(502, 503);
        assertThat(retry.retryOn()).containsExactlyInAnyOrder(RetryOn.RETRIABLE_HEADERS,
                RetryOn.RETRIABLE_STATUS_CODES, RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE,
                RetryOn.RETRIABLE_4XX);

        assertThat(policy.tcpRetry().maxConnectAttempts()).isEqualTo(3);

        final CircuitBreakerPolicy breaker = policy.circuitBreaker().orElseThrow();
        assertThat(breaker.consecutiveErrors()).isEqualTo(5);
        assertThat(breaker.interval()).isEqualTo(ofSeconds(10));
        assertThat(breaker.maxEjectionPercent()).isEqualTo(50);

        assertThat(policy.connectionPool().maxConnections()).isEqualTo(100);
        assertThat(policy.connectionPool().http1MaxPendingRequests()).isEqualTo(1024);
        assertThat(policy.connectionPool().http2MaxRequests()).isEqualTo(1024);
    }

    @Test
    void explainsEachValueUnderItsAzureName() {
        final String text = AzureSamplePolicy.explain(policy);

        assertThat(text)
                .contains("timeoutPolicy.responseTimeoutInSeconds:")
                .contains("httpRetryPolicy.matches.headers:")
                .contains("[x-ms-retriable exact \"true\"]")
                .contains("httpRetryPolicy.matches.httpStatusCodes:")
                .contains("[502, 503]")
                .contains("circuitBreakerPolicy.maxEjectionPercent:")
                .contains("httpConnectionPool.http2MaxRequests:")
                .contains("In one line: connect 5 s x 3 attempts | deadline 15 s | 5 retries on");
        assertThat(text.lines().filter(l -> l.matches("\\s+[a-zA-Z0-9.]+: .*\\(sturdy: .*\\)"))).hasSize(15);
    }

    @Test
    void retriesAResponseMarkedRetriableAgainstLoopback() throws Exception {
        // the first answer is 404 + x-ms-retriable: true; the retry waits under 1 s (full jitter of 1 s)
        assertThat(AzureSamplePolicy.tryAgainstLoopback(policy))
                .isEqualTo("200 after 2 attempts (the first answer was 404 with x-ms-retriable: true)");
    }
}
