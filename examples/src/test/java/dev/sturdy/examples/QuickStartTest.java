package dev.sturdy.examples;

import static java.time.Duration.ofMillis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.ResiliencePolicy;
import org.junit.jupiter.api.Test;

class QuickStartTest {

    @Test
    void retriesTwo503sAndReturnsTheSuccess() throws Exception {
        // the recommended policy with a 10 ms backoff instead of 1 s, so the test does not sleep for seconds
        final ResiliencePolicy recommended = ResiliencePolicy.recommended();
        final ResiliencePolicy fast = recommended.toBuilder()
                .retry(recommended.retry().orElseThrow().toBuilder().backoff(ofMillis(10), ofMillis(100)).build())
                .build();

        assertThat(QuickStart.run(fast)).isEqualTo("200 hello after 3 attempts");
    }
}
