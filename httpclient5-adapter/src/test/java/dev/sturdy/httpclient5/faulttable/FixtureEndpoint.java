package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.testing.RecordedRequest;
import java.net.URI;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A {@link FaultEndpoint} over any loopback fixture, from what the fixture can tell: every fixture of
 * the table serves {@code 127.0.0.1} on one port, so one class adapts them all and the factories in
 * {@link FaultEndpoint} only say where each number comes from.
 */
final class FixtureEndpoint implements FaultEndpoint {

    private final String scheme;
    private final int port;
    private final Supplier<List<RecordedRequest>> recorded;
    private final IntSupplier unread;
    private final IntSupplier accepted;
    private final Runnable closer;
    private final String description;

    FixtureEndpoint(String scheme, int port, Supplier<List<RecordedRequest>> recorded, IntSupplier unread,
                    IntSupplier accepted, Runnable closer, String description) {
        this.scheme = scheme;
        this.port = port;
        this.recorded = recorded;
        this.unread = unread;
        this.accepted = accepted;
        this.closer = closer;
        this.description = description;
    }

    /** An endpoint where no request is ever read: only connections can be counted. */
    static FixtureEndpoint connectPhase(String scheme, int port, IntSupplier accepted, Runnable closer) {
        return new FixtureEndpoint(scheme, port, List::of, () -> 0, accepted, closer, scheme + "://127.0.0.1:" + port);
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
        return recorded.get();
    }

    @Override
    public int unreadRequests() {
        return unread.getAsInt();
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
        return description;
    }
}
