package dev.sturdy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuickStartTest {

    @Test
    void recommendedPolicyRetriesTwo503sAndReturnsTheSuccess() throws Exception {
        // backoff is real here (recommended: 1 s base, full jitter): at most 1 s + 3 s of waiting
        assertThat(QuickStart.run()).isEqualTo("200 hello after 3 attempts");
    }
}
