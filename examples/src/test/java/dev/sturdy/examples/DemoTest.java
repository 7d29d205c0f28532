package dev.sturdy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoTest {

    private static final int CALLS = 30;

    @Test
    void printsATablePerScenarioAndSturdyNeverDoesWorseThanThePlainClient() throws Exception {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final List<Demo.ScenarioResult> results;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            results = new Demo(CALLS, 4, Duration.ofSeconds(1), out, false).run();
        }
        final String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(results).extracting(Demo.ScenarioResult::name).containsExactly(
                "blue/green switch", "overload with Retry-After", "slow replica",
                "TLS handshake that never completes", "x-ms-retriable and 409");
        for (Demo.ScenarioResult r : results) {
            final String description = "scenario " + r.number() + " " + r.name() + "\n" + output;
            assertThat(output).as(description)
                    .contains("[" + r.number() + "/5] " + r.name() + ": ")
                    .contains("sturdy policy: " + Policies.describe(r.policy()));
            assertThat(r.plain().calls()).isEqualTo(CALLS);
            assertThat(r.sturdy().calls()).isEqualTo(CALLS);
            // every scenario is one where retrying is the right call
            assertThat(r.sturdy().successRate()).as(description).isGreaterThanOrEqualTo(r.plain().successRate());
            // the numbers come from the run: the replicas received requests, sturdy counted its attempts
            assertThat(r.plain().attemptsPerCall()).as(description).isGreaterThan(0);
            assertThat(r.sturdy().attemptsPerCall()).as(description).isGreaterThan(0);
            assertThat(r.sturdy().counters().get(dev.sturdy.event.ResilienceCounter.RQ_RETRY))
                    .isEqualTo(r.sturdy().retries());
            assertThat(r.plain().retries()).isEqualTo(-1); // printed as n/a
            assertThat(r.sturdy().p99Millis()).isGreaterThanOrEqualTo(r.sturdy().p50Millis());
        }
        // the failures were really there: the plain client, which retries none of them, lost calls
        assertThat(results.stream().filter(r -> r.plain().succeeded() < CALLS)).hasSizeGreaterThanOrEqualTo(3);

        assertThat(output).contains("client", "success", "p50", "p99", "attempts/call", "retries", "ejections");
        assertThat(output.lines().filter(l -> l.trim().startsWith("plain ") && l.contains("n/a"))).hasSize(5);
        assertThat(output).contains("Summary").contains("Every number above was measured in this run.");

        // every server, client and timeline thread is gone
        Thread.sleep(200);
        final Set<String> leftovers = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("loopback-") || n.startsWith("demo-") || n.startsWith("sturdy-deadline"))
                .collect(Collectors.toSet());
        assertThat(leftovers).isEmpty();
    }
}
