package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.testing.BacklogFullServer;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import dev.sturdy.httpclient5.testing.RefusingPort;
import dev.sturdy.httpclient5.testing.TlsStallServer;
import java.net.URI;
import java.util.List;

/**
 * The server side of one fault case, whatever fixture plays it: where to send the request and what
 * reached the server. Transport-neutral, so the same table runs against the classic and the async
 * client.
 */
public interface FaultEndpoint extends AutoCloseable {

    /** {@code http://127.0.0.1:<port><path>} (or {@code https://}). */
    URI uri(String path);

    /** The port on {@code 127.0.0.1}. */
    int port();

    /** The requests the server read completely, in arrival order (empty for connect-phase endpoints). */
    List<RecordedRequest> recorded();

    /**
     * Requests whose first bytes reached the server, which then reset the connection without reading
     * them (so they are not {@linkplain #recorded() recorded}); every request of a case has the case's
     * method.
     */
    int unreadRequests();

    /** TCP connections the server accepted so far (0 where nothing accepts). */
    int connectionsAccepted();

    /** Stops the fixture, unless it is shared between cases. */
    @Override
    void close();

    /** A {@link FaultServer} (plain HTTP/1.1), closed with the endpoint. */
    static FaultEndpoint of(FaultServer server) {
        return new FaultEndpoint() {
            @Override
            public URI uri(String path) {
                return server.uri(path);
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public List<RecordedRequest> recorded() {
                return server.requests();
            }

            @Override
            public int unreadRequests() {
                return server.resetBeforeRequestCount();
            }

            @Override
            public int connectionsAccepted() {
                return server.connectionCount();
            }

            @Override
            public void close() {
                server.close();
            }

            @Override
            public String toString() {
                return server.toString();
            }
        };
    }

    /** A port where connects are refused. */
    static FaultEndpoint of(RefusingPort port) {
        return new ConnectPhaseEndpoint(port.port(), "http", () -> 0, () -> { });
    }

    /** A port where connects time out; shared between cases, so closing the endpoint leaves it open. */
    static FaultEndpoint sharing(BacklogFullServer server) {
        return new ConnectPhaseEndpoint(server.port(), "http", () -> 0, () -> { });
    }

    /** A TLS port whose handshakes stall; closed with the endpoint. */
    static FaultEndpoint of(TlsStallServer server) {
        return new ConnectPhaseEndpoint(server.port(), "https", server::acceptedCount, server::close);
    }

    /** A TLS port that breaks handshakes (and may answer later ones); closed with the endpoint. */
    static FaultEndpoint of(TlsTestServer server) {
        return new FaultEndpoint() {
            @Override
            public URI uri(String path) {
                return server.uri(path);
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public List<RecordedRequest> recorded() {
                return List.of(); // the table's TLS faults break every handshake: no request is ever read
            }

            @Override
            public int unreadRequests() {
                return 0;
            }

            @Override
            public int connectionsAccepted() {
                return server.acceptedCount();
            }

            @Override
            public void close() {
                server.close();
            }

            @Override
            public String toString() {
                return server.toString();
            }
        };
    }
}
