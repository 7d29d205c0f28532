package dev.sturdy.httpclient5.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.hc.core5.http.HttpHost;

/**
 * A loopback port that accepts TCP connections and never sends a byte, so a TLS client's handshake
 * stalls after its ClientHello. With {@code TlsConfig.setHandshakeTimeout}, HttpClient 5.6.5 classic
 * throws {@code ConnectTimeoutException: Connect to https://127.0.0.1:<port> failed: Read timed out}
 * (no cause) after the handshake timeout.
 *
 * <p>It never reads either: the ClientHello stays in the socket buffers. Connections are held open
 * until the client closes them or {@link #close()} closes them.
 *
 * <p>One daemon acceptor thread named {@link #threadNamePrefix()}{@code + "tls-stall-accept"};
 * {@link #close()} stops it. Thread-safe.
 */
public final class TlsStallServer implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    private final Object lock = new Object();
    private final LoopbackListener listener;

    private TlsStallServer() throws IOException {
        listener = new LoopbackListener(new ServerSocket(), 128, "tls-stall-", lock);
        listener.start(connectionId -> LoopbackListener.HOLD);
    }

    /** Binds to an ephemeral loopback port and starts accepting. */
    public static TlsStallServer start() {
        try {
            return new TlsStallServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback server socket", e);
        }
    }

    /** The port on {@code 127.0.0.1}. */
    public int port() {
        return listener.port();
    }

    /** {@code https://127.0.0.1:<port><pathAndQuery>}. */
    public URI uri(String pathAndQuery) {
        return URI.create("https://" + LOOPBACK + ":" + port() + pathAndQuery);
    }

    /** This server as an HttpClient target host ({@code https}, {@code 127.0.0.1}, port). */
    public HttpHost httpsHost() {
        return new HttpHost("https", LOOPBACK, port());
    }

    /** The prefix of this server's thread name, e.g. {@code "fault-server-4-"}. */
    public String threadNamePrefix() {
        return listener.threadNamePrefix();
    }

    /** How many TCP connections were accepted so far. */
    public int acceptedCount() {
        return listener.connectionCount();
    }

    /**
     * Waits until at least {@code count} connections were accepted.
     *
     * @throws AssertionError if fewer were accepted within {@code timeout}
     */
    public void awaitAcceptedCount(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (listener.connectionCount() < count) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    throw new AssertionError("expected at least " + count + " accepted connections, got "
                            + listener.connectionCount() + " (waited " + timeout.toMillis() + " ms)");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, leftNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while awaiting connections", e);
                }
            }
        }
    }

    /**
     * Closes the listener and every held connection, and joins the acceptor. Idempotent.
     *
     * @throws IllegalStateException if the acceptor did not stop within 2 s
     */
    @Override
    public void close() {
        listener.close("TlsStallServer acceptor still running after close: ", "TlsStallServer failed");
    }

    @Override
    public String toString() {
        return "TlsStallServer[" + LOOPBACK + ":" + port() + "]";
    }
}
