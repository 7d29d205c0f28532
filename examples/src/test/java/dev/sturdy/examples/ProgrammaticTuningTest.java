package dev.sturdy.examples;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.RetryOn;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgrammaticTuningTest {

    private final Map<String, ResiliencePolicy> variants = ProgrammaticTuning.variants();

    @Test
    void variantsChangeOnlyWhatTheirDownstreamNeeds() {
        final ResiliencePolicy base = variants.get("base");
        assertThat(base).isEqualTo(ResiliencePolicy.recommended()); // toBuilder() copies, the base is untouched
        assertThat(variants).containsOnlyKeys("base", "payments", "search", "batch");

        final ResiliencePolicy payments = variants.get("payments");
        assertThat(payments.timeouts().responseTimeout()).isEqualTo(ofSeconds(2));
        assertThat(payments.timeouts().perTryTimeout()).contains(ofMillis(800));
        final HttpRetryPolicy paymentsRetry = payments.retry().orElseThrow();
        assertThat(paymentsRetry.maxRetries()).isEqualTo(2);
        assertThat(paymentsRetry.retryOn()).containsExactly(RetryOn.GATEWAY_ERROR);
        assertThat(paymentsRetry.retryNonIdempotent()).isFalse();
        assertThat(payments.circuitBreaker()).isEqualTo(base.circuitBreaker());

        final ResiliencePolicy search = variants.get("search");
        assertThat(search.timeouts().perTryTimeout()).contains(ofMillis(250));
        assertThat(search.timeouts().responseTimeout()).isEqualTo(ofSeconds(1));
        assertThat(search.retry().orElseThrow().maxRetries()).isEqualTo(4);
        assertThat(search.retry().orElseThrow().budget()).isEqualTo(RetryBudget.of(50, 5));

        final ResiliencePolicy batch = variants.get("batch");
        assertThat(batch.timeouts().responseTimeout()).isEqualTo(ofMinutes(10));
        assertThat(batch.timeouts().perTryTimeout()).isEmpty();
        assertThat(batch.retry().orElseThrow().maxInterval()).isEqualTo(ofSeconds(60));
        assertThat(batch.tcpRetry().maxConnectAttempts()).isEqualTo(5);
        assertThat(batch.connectionPool().maxConnections()).isEqualTo(8);
        assertThat(batch.connectionPool().http1MaxPendingRequests())
                .isEqualTo(base.connectionPool().http1MaxPendingRequests());
    }

    @Test
    void theVariantsBehaveDifferentlyAgainstLoopback() throws Exception {
        assertThat(ProgrammaticTuning.tryAgainstLoopback()).containsExactly(
                "payments POST, server busy twice: 503 after 1 attempt (a POST that may have been processed is not resent)",
                "search   GET,  server busy twice: 200 after 3 attempts",
                "payments POST, nothing listening: HttpHostConnectException after 3 attempts "
                        + "(refused: the POST never left, so it is retried)");
    }
}
