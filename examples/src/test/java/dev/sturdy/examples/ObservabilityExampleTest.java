package dev.sturdy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.event.ResilienceCounter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObservabilityExampleTest {

    @Test
    void theListenerSeesEveryKindOfDecisionAndAgreesWithTheCounters() throws Exception {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final ObservabilityExample.Report report;
        try (PrintStream log = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            report = ObservabilityExample.run(log);
        }
        final String logged = buffer.toString(StandardCharsets.UTF_8);

        assertThat(report.outcomes()).contains(
                "GET /flaky -> 200 after 3 attempts",
                "GET /down  -> 500 after 3 attempts");
        assertThat(report.outcomes()).anyMatch(o -> o.startsWith("GET /slow  -> ")
                && (o.contains("DeadlineExceededException") || o.contains("PerTryTimeoutException")));

        // retry scheduled: a Retry-After delay (the 503 with Retry-After: 0) and computed backoffs
        assertThat(report.event("retry scheduled (5xx, retry_after)")).isEqualTo(1);
        assertThat(report.event("retry scheduled (5xx, backoff)")).isGreaterThanOrEqualTo(3);
        assertThat(report.event("retry scheduled (per-try-timeout, backoff)")).isGreaterThanOrEqualTo(1);
        assertThat(report.event("no further retry (retries exhausted)")).isGreaterThanOrEqualTo(1);
        assertThat(report.event("timeout (per_try)")).isGreaterThanOrEqualTo(1);
        // the burst of 8: at most 3 retries may be in flight, the rest are refused
        assertThat(report.event("retry budget exceeded")).isBetween(1L, (long) ObservabilityExample.BURST - 1);

        // the listener and the client's counters tell the same story
        assertThat(report.counters().get(ResilienceCounter.RQ_RETRY)).isEqualTo(report.event("retry scheduled"));
        assertThat(report.counters().get(ResilienceCounter.RQ_RETRY_OVERFLOW)).isEqualTo(report.event("retry budget exceeded"));
        assertThat(report.counters().get(ResilienceCounter.RQ_TIMEOUT)).isEqualTo(report.event("timeout"));
        assertThat(report.counters().get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED))
                .isEqualTo(report.event("no further retry (retries exhausted)"));

        assertThat(logged)
                .contains("(reason 5xx, delay from retry_after)")
                .contains("(reason 5xx, delay from backoff)")
                .contains("retry budget full: GET http://127.0.0.1:")
                .contains("per_try timeout 300 ms fired on GET http://127.0.0.1:")
                .doesNotContain("/flaky\n  [sturdy]"); // events name endpoints, never paths
        assertThat(logged.lines().filter(l -> l.contains("[sturdy]"))).allMatch(l -> !l.contains("/busy")
                && !l.contains("/slow") && !l.contains("/down"));
    }
}
