package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.testing.BacklogFullServer;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.H2FaultServer;
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
        return new FixtureEndpoint("http", server.port(), server::requests, server::resetBeforeRequestCount,
                server::connectionCount, server::close, server.toString());
    }

    /** An {@link H2FaultServer} (cleartext HTTP/2), closed with the endpoint. */
    static FaultEndpoint of(H2FaultServer server) {
        return new FixtureEndpoint("http", server.port(), server::requests, server::unreadCount,
                server::connectionCount, server::close, server.toString());
    }

    /** A port where connects are refused. */
    static FaultEndpoint of(RefusingPort port) {
        return FixtureEndpoint.connectPhase("http", port.port(), () -> 0, () -> { });
    }

    /** A port where connects time out; shared between cases, so closing the endpoint leaves it open. */
    static FaultEndpoint sharing(BacklogFullServer server) {
        return FixtureEndpoint.connectPhase("http", server.port(), () -> 0, () -> { });
    }

    /** A TLS port whose handshakes stall; closed with the endpoint. */
    static FaultEndpoint of(TlsStallServer server) {
        return FixtureEndpoint.connectPhase("https", server.port(), server::acceptedCount, server::close);
    }

    /**
     * A TLS port that breaks handshakes (and may answer later ones); closed with the endpoint. The table's
     * TLS faults break every handshake, so no request is ever read.
     */
    static FaultEndpoint of(TlsTestServer server) {
        return new FixtureEndpoint("https", server.port(), List::of, () -> 0, server::acceptedCount, server::close,
                server.toString());
    }
}
