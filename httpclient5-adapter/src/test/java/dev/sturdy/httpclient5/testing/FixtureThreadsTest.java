package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

/** Fixture threads are named, and assertNoThreadsLeft names the ones that linger. */
class FixtureThreadsTest {

    @Test
    void serverThreadsCarryTheSharedPrefixAndStopOnClose() {
        FaultServer server = FaultServer.start();
        try (server) {
            assertThat(server.threadNamePrefix()).startsWith(FixtureThreads.PREFIX).endsWith("-");
            assertThat(FixtureThreads.liveThreads(server.threadNamePrefix())).extracting(Thread::getName)
                    .containsExactly(server.threadNamePrefix() + "accept");
            assertThat(FixtureThreads.liveThreads(server.threadNamePrefix())).allMatch(Thread::isDaemon);
        }
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }

    @Test
    void eachFixtureHasItsOwnPrefix() {
        try (FaultServer first = FaultServer.start(); FaultServer second = FaultServer.start();
                TlsStallServer tls = TlsStallServer.start()) {
            assertThat(first.threadNamePrefix()).isNotEqualTo(second.threadNamePrefix())
                    .isNotEqualTo(tls.threadNamePrefix());
        }
    }

    @Test
    void assertNoThreadsLeftNamesALingeringThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        String name = FixtureThreads.PREFIX + "lingering-test-thread";
        Thread lingering = FixtureThreads.start(name, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThatThrownBy(() -> FixtureThreads.assertNoThreadsLeft(name, Duration.ofMillis(30)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("threads named " + name + "* still alive after 30 ms: \n  " + name
                            + " (WAITING)")
                    .hasMessageContaining("CountDownLatch.await");
        } finally {
            release.countDown();
            lingering.join(2_000);
        }
        FixtureThreads.assertNoThreadsLeft(name);
    }
}
