package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.testing.FaultServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.Test;

/**
 * Closing a client stops every thread sturdy started for it, however the client was built, and a
 * builder builds one client.
 */
class LifecycleTest {

    private static final String STURDY_THREAD_PREFIX = "sturdy-";
    private static final Duration TEST_BOUND = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private static ResiliencePolicy policy() {
        return ResiliencePolicy.builder().retry(HttpRetryPolicy.defaults()).build();
    }

    private static Set<Thread> liveSturdyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith(STURDY_THREAD_PREFIX))
                .collect(Collectors.toSet());
    }

    /** The sturdy threads alive now that were not alive in {@code before}. */
    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> started = new HashSet<>(liveSturdyThreads());
        started.removeAll(before);
        return started;
    }

    /** Polls briefly until none of {@code threads} is alive; fails naming the ones that still are. */
    private static void assertAllStopped(Set<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        List<Thread> alive = threads.stream().filter(Thread::isAlive).collect(Collectors.toList());
        while (!alive.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
            alive = threads.stream().filter(Thread::isAlive).collect(Collectors.toList());
        }
        assertThat(alive.stream().map(t -> t.getName() + " (" + t.getState() + ")"))
                .as("sturdy threads still alive " + STOP_GRACE.toMillis() + " ms after close()")
                .isEmpty();
    }

    @Test
    void closingAClientFromCustomStopsEverySturdyThreadItStarted() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            Set<Thread> before = liveSturdyThreads();
            Set<Thread> started;
            try (FaultServer server = FaultServer.start()) {
                SturdyHttpClient client = SturdyHttpClients.custom(policy()).build();
                client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());
                started = startedSince(before);
                assertThat(started).as("sturdy threads started by the client (the test must see one)").isNotEmpty();
                client.close();
            }
            assertAllStopped(started);
        });
    }

    @Test
    void closingAClientFromCustomImmediatelyStopsEverySturdyThreadItStarted() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            Set<Thread> before = liveSturdyThreads();
            Set<Thread> started;
            try (FaultServer server = FaultServer.start()) {
                SturdyHttpClient client = SturdyHttpClients.custom(policy()).build();
                client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());
                started = startedSince(before);
                assertThat(started).as("sturdy threads started by the client (the test must see one)").isNotEmpty();
                client.close(CloseMode.IMMEDIATE);
            }
            assertAllStopped(started);
        });
    }

    @Test
    void closingAClientFromInstallStopsEverySturdyThreadItStarted() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            Set<Thread> before = liveSturdyThreads();
            Set<Thread> started;
            try (FaultServer server = FaultServer.start()) {
                CloseableHttpClient client = SturdyHttpClients.install(policy(), HttpClients.custom()).build();
                client.execute(new HttpGet(server.uri("/x")), r -> r.getCode());
                started = startedSince(before);
                assertThat(started).as("sturdy threads started by the client (the test must see one)").isNotEmpty();
                client.close();
            }
            assertAllStopped(started);
        });
    }

    @Test
    void aClientThatIsNeverUsedStartsNoSturdyThreadAndClosesCleanly() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            Set<Thread> before = liveSturdyThreads();
            SturdyHttpClient client = SturdyHttpClients.custom(policy()).build();
            assertThat(startedSince(before)).as("the deadline thread starts with the first call").isEmpty();
            client.close();
            assertThat(startedSince(before)).isEmpty();
        });
    }

    @Test
    void aBuilderPreparedByInstallButNeverBuiltLeavesNoThread() {
        Set<Thread> before = liveSturdyThreads();
        SturdyHttpClients.install(policy(), HttpClients.custom());
        assertThat(startedSince(before)).isEmpty();
    }

    @Test
    void buildingTwiceFromOneBuilderIsRefused() throws Exception {
        SturdyHttpClientBuilder builder = SturdyHttpClients.custom(policy());
        try (SturdyHttpClient first = builder.build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
            assertThat(e).hasMessage("build: called twice (expected: one client per SturdyHttpClientBuilder)");
            assertThat(first.policy()).isEqualTo(policy());
        }
    }
}
