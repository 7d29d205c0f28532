package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.testing.RecordedRequest;
import java.net.URI;
import java.util.List;
import java.util.function.IntSupplier;

/** An endpoint where no request is ever read: only connections can be counted. */
final class ConnectPhaseEndpoint implements FaultEndpoint {

    private final int port;
    private final String scheme;
    private final IntSupplier accepted;
    private final Runnable closer;

    ConnectPhaseEndpoint(int port, String scheme, IntSupplier accepted, Runnable closer) {
        this.port = port;
        this.scheme = scheme;
        this.accepted = accepted;
        this.closer = closer;
    }

    @Override
    public URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public List<RecordedRequest> recorded() {
        return List.of();
    }

    @Override
    public int unreadRequests() {
        return 0;
    }

    @Override
    public int connectionsAccepted() {
        return accepted.getAsInt();
    }

    @Override
    public void close() {
        closer.run();
    }

    @Override
    public String toString() {
        return scheme + "://127.0.0.1:" + port;
    }
}
