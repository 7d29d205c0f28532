package dev.sturdy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import dev.sturdy.event.ResilienceCounter;
import org.junit.jupiter.api.Test;

class DemoTest {

    /**
     * The full demo's size: the failure windows are fractions of the spread, and a shorter one (e.g. 1 s)
     * leaves C's outage so short that only one or two attempts reach it, too few to eject it reliably.
     */
    private static final int CALLS = Demo.DEFAULT_CALLS;

    @Test
    void printsATablePerScenarioAndSturdyNeverDoesWorseThanThePlainClient() throws Exception {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final List<Demo.ScenarioResult> results;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            results = new Demo(CALLS, Demo.DEFAULT_THREADS, Demo.DEFAULT_SPREAD, out, false).run();
        }
        final String output = buffer.toString(StandardCharsets.UTF_8);
        final String flat = output.replaceAll("\\s+", " "); // the policy line is wrapped

        assertThat(results).extracting(Demo.ScenarioResult::name).containsExactly(
                "blue/green switch", "overload with Retry-After", "slow replica",
                "TLS handshake that never completes", "x-ms-retriable and 409");
        for (Demo.ScenarioResult r : results) {
            final String description = "scenario " + r.number() + " " + r.name() + "\n" + output;
            assertThat(output).as(description).contains("[" + r.number() + "/5] " + r.name() + ": ");
            assertThat(flat).as(description).contains("sturdy policy: " + Policies.describe(r.policy()));
            // the demo policy has a breaker, and the intro explains it
            assertThat(r.policy().circuitBreaker()).as(description).contains(Demo.demoBreaker());
            assertThat(r.plain().calls()).isEqualTo(CALLS);
            assertThat(r.sturdy().calls()).isEqualTo(CALLS);
            // every scenario is one where retrying is the right call
            assertThat(r.sturdy().successRate()).as(description).isGreaterThanOrEqualTo(r.plain().successRate());
            // the numbers come from the run: the replicas received requests, sturdy counted its attempts
            assertThat(r.plain().attemptsPerCall()).as(description).isGreaterThan(0);
            assertThat(r.sturdy().attemptsPerCall()).as(description).isGreaterThan(0);
            assertThat(r.sturdy().counters().get(ResilienceCounter.RQ_RETRY))
                    .isEqualTo(r.sturdy().retries());
            assertThat(r.plain().retries()).isEqualTo(-1); // printed as n/a
            assertThat(r.plain().ejections()).isEqualTo(-1);
            assertThat(r.sturdy().counters().get(ResilienceCounter.EJECTIONS_TOTAL))
                    .isEqualTo(r.sturdy().ejections());
            // attempts/call is the sum of what the three replicas counted
            for (Demo.RunStats run : List.of(r.plain(), r.sturdy())) {
                assertThat(run.requestsByReplica()).as(description).containsOnlyKeys("A", "B", "C");
                assertThat(run.requestsByReplica().values().stream().mapToInt(Integer::intValue).sum())
                        .as(description).isEqualTo((int) Math.round(run.attemptsPerCall() * CALLS));
            }
            // sturdy sends to the group, which spreads the calls: every replica got some
            assertThat(r.sturdy().requestsByReplica().values()).as(description).allMatch(n -> n > 0);
            assertThat(r.sturdy().p99Millis()).isGreaterThanOrEqualTo(r.sturdy().p50Millis());
        }
        // the failures were really there: the plain client, which retries none of them, lost calls
        assertThat(results.stream().filter(r -> r.plain().succeeded() < CALLS)).hasSizeGreaterThanOrEqualTo(3);
        // the breaker ejected the broken replica: refused connections, per-try timeouts, stalled handshakes
        for (int scenario : new int[] {1, 3, 4}) {
            final Demo.ScenarioResult r = results.get(scenario - 1);
            assertThat(r.sturdy().ejections()).as("scenario " + scenario + " " + r.name() + "\n" + output)
                    .isGreaterThan(0);
        }
        // a 4xx never counts against a replica
        assertThat(results.get(4).sturdy().ejections()).as(output).isZero();
        assertThat(output).contains("sturdy calls http://replicas/", "endpoint group", "ejected after 2 errors in a row",
                "requests per replica: plain A ");

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
