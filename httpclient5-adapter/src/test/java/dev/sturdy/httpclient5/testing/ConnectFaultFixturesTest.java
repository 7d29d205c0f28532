package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.junit.jupiter.api.Test;

/** Refused connects, connect timeouts and TLS handshake timeouts on loopback. */
class ConnectFaultFixturesTest {

    /** The connect or handshake timeout under test. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);

    @Test
    void refusingPortRefusesConnectsAtOnce() throws Exception {
        RefusingPort port = RefusingPort.find();
        assertThat(port.uri("/x").toString()).isEqualTo("http://127.0.0.1:" + port.port() + "/x");

        Duration longConnectTimeout = Duration.ofSeconds(30);
        try (TestClient client = new TestClient(longConnectTimeout, longConnectTimeout, longConnectTimeout)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.get(port.uri("/x")))
                    .isExactlyInstanceOf(HttpHostConnectException.class)
                    .isInstanceOf(ConnectException.class)
                    .hasMessage("Connect to http://127.0.0.1:" + port.port() + " failed: Connection refused");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            PoolAssertions.assertAllReleased(client.pool());
        }
    }

    @Test
    void refusingPortIsOutsideTheEphemeralRangeOnLinux() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            int low = Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
            assertThat(RefusingPort.find().port()).isBetween(1024, low - 1);
        }
    }

    @Test
    void backlogFullServerMakesConnectsTimeOut() throws Exception {
        try (BacklogFullServer server = BacklogFullServer.start();
                TestClient client = new TestClient(CONNECT_TIMEOUT, CONNECT_TIMEOUT, TestClient.GENEROUS)) {
            assertThat(server.fillerCount()).isEqualTo(2);
            for (int attempt = 0; attempt < 3; attempt++) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.get(server.uri("/x")))
                        .isExactlyInstanceOf(ConnectTimeoutException.class)
                        .hasMessage("Connect to http://127.0.0.1:" + server.port() + " failed: Connect timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(CONNECT_TIMEOUT);
            }
            PoolAssertions.assertAllReleased(client.pool());
        }
    }

    @Test
    void backlogFullServerTimesOutPlainSocketConnectsToo() throws Exception {
        try (BacklogFullServer server = BacklogFullServer.start(); Socket socket = new Socket()) {
            assertThatThrownBy(() -> socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 100))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Connect timed out");
        }
    }

    @Test
    void tlsStallServerMakesTheHandshakeTimeOut() throws Exception {
        TlsStallServer server = TlsStallServer.start();
        try (server; TestClient client = new TestClient(TestClient.GENEROUS, CONNECT_TIMEOUT, TestClient.GENEROUS)) {
            assertThat(server.uri("/x").toString()).isEqualTo("https://127.0.0.1:" + server.port() + "/x");
            long start = System.nanoTime();

            assertThatThrownBy(() -> client.get(server.uri("/x")))
                    .isExactlyInstanceOf(ConnectTimeoutException.class)
                    .hasMessage("Connect to https://127.0.0.1:" + server.port() + " failed: Read timed out")
                    .hasNoCause();

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(CONNECT_TIMEOUT).isLessThan(TestClient.GENEROUS);
            server.awaitAcceptedCount(1, Duration.ofSeconds(1));
            assertThat(server.acceptedCount()).isEqualTo(1);
            PoolAssertions.assertAllReleased(client.pool());
        }
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }

    @Test
    void tlsStallServerNeverSendsAByte() throws Exception {
        try (TlsStallServer server = TlsStallServer.start(); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 1_000);
            socket.setSoTimeout(100);
            socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            server.awaitAcceptedCount(1, Duration.ofSeconds(1));
        }
    }
}
