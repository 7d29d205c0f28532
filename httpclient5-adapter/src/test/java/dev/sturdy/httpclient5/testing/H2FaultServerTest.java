package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The H2FaultServer's own guarantees, the ones the HTTP/2 fault tests lean on: it never answers a
 * client that does not speak HTTP/2 (so a table run cannot pass over HTTP/1.1 by accident), and
 * {@code close()} leaves no thread behind. Its HTTP/2 behaviour is exercised by the async client tests.
 */
@Timeout(10)
class H2FaultServerTest {

    @Test
    void refusesAClientThatDoesNotSendTheHttp2PrefaceAndSaysSoOnClose() throws Exception {
        H2FaultServer server = H2FaultServer.start(H2Fault.respond(200, List.of(), "ok"));
        try (Socket client = new Socket("127.0.0.1", server.port())) {
            client.getOutputStream().write("GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertThat(in.read()).as("the server closes without answering a single byte").isEqualTo(-1);
        }

        assertThatThrownBy(server::close).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("H2FaultServer connection failed")
                .cause().isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("not an HTTP/2 prior-knowledge preface: GET /orders HTTP/1.1\r\nHo"); // its first 24 bytes
        assertThat(server.requests()).isEmpty();
        assertThat(server.streamsOpened()).isZero();
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }

    @Test
    void closeStopsTheAcceptorAndEveryConnectionThread() throws Exception {
        H2FaultServer server = H2FaultServer.start(H2Fault.respond(200, List.of(), "ok"));
        try (Socket idle = new Socket("127.0.0.1", server.port())) {
            idle.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = idle.getInputStream();
            byte[] settings = in.readNBytes(9);
            assertThat(settings).as("the server's SETTINGS frame header: empty payload, type 4, no flags, stream 0")
                    .containsExactly(0, 0, 0, 4, 0, 0, 0, 0, 0);

            server.close();

            assertThat(in.read()).as("the connection is closed with the server").isEqualTo(-1);
        }
        assertThat(server.connectionCount()).isEqualTo(1);
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }
}
