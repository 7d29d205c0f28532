package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.junit.jupiter.api.Test;

/** PoolAssertions against a real classic pool: passes when released, fails with the stats when leaked. */
class PoolAssertionsTest {

    @Test
    void passesWhenEveryConnectionWasReleased() throws Exception {
        try (FaultServer server = FaultServer.start(); TestClient client = TestClient.create()) {
            client.get(server.uri("/a"));
            client.get(server.uri("/b"));

            PoolAssertions.assertAllReleased(client.pool());
            assertThat(client.pool().getTotalStats().getAvailable()).isEqualTo(1);
        }
    }

    @Test
    void failsWithTotalAndRouteStatsWhileAResponseIsStillOpen() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.ok("body"));
                TestClient client = TestClient.create()) {
            ClassicHttpResponse leaked = client.open(server.uri("/leak"));
            try {
                assertThatThrownBy(() -> PoolAssertions.assertAllReleased(client.pool(), Duration.ofMillis(50)))
                        .isInstanceOf(AssertionError.class)
                        .hasMessageStartingWith("connection pool still has 1 leased and 0 pending connections after 50 ms:"
                                + " total [leased: 1; pending: 0; available: 0; max: 25]; ")
                        .hasMessageContaining("127.0.0.1:" + server.port());
            } finally {
                leaked.close();
            }
            PoolAssertions.assertAllReleased(client.pool());
        }
    }

    @Test
    void waitsForAReleaseThatHappensWhileItPolls() throws Exception {
        try (FaultServer server = FaultServer.start(); TestClient client = TestClient.create()) {
            ClassicHttpResponse open = client.open(server.uri("/late-release"));
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    open.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));

            PoolAssertions.assertAllReleased(client.pool());
            release.join();
        }
    }
}
