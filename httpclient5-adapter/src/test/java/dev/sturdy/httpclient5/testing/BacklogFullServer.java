package dev.sturdy.httpclient5.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.core5.http.HttpHost;

/**
 * A loopback port where a connect <em>times out</em>: a listening socket with backlog 1 that never
 * accepts, its accept queue filled by connections of its own, so the kernel drops further SYNs and a
 * client's connect waits until its connect timeout. HttpClient 5 classic throws
 * {@code ConnectTimeoutException}.
 *
 * <p>Works on Linux with the default {@code net.ipv4.tcp_abort_on_overflow = 0} (verified on the build
 * machine: 20 of 20 connects timed out). {@link #start()} checks it: it fills the queue until a probe
 * connect times out (about 250 ms), and throws {@link IllegalStateException} if the platform answers
 * instead (for example with RST when {@code tcp_abort_on_overflow = 1}); tests may turn that into an
 * assumption failure.
 *
 * <p>Uses no thread. Thread-safe. Close it to release the filler connections.
 */
public final class BacklogFullServer implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final int PROBE_TIMEOUT_MILLIS = 250;
    private static final int MAX_FILLERS = 16;

    private final ServerSocket listener;
    private final List<Socket> fillers;

    private BacklogFullServer(ServerSocket listener, List<Socket> fillers) {
        this.listener = listener;
        this.fillers = fillers;
    }

    /**
     * Binds the listener and fills its accept queue.
     *
     * @throws IllegalStateException if connects to a full queue are not dropped on this platform
     */
    public static BacklogFullServer start() {
        ServerSocket listener = null;
        List<Socket> fillers = new ArrayList<>();
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0), 1);
            while (fillers.size() < MAX_FILLERS) {
                Socket filler = new Socket();
                try {
                    filler.connect(listener.getLocalSocketAddress(), PROBE_TIMEOUT_MILLIS);
                    fillers.add(filler);
                } catch (SocketTimeoutException full) {
                    FaultServer.closeQuietly(filler);
                    return new BacklogFullServer(listener, fillers);
                }
            }
            throw new IllegalStateException("the accept queue of a backlog-1 listener took " + MAX_FILLERS
                    + " connections without dropping a SYN: connect timeouts cannot be reproduced here");
        } catch (IOException e) {
            fillers.forEach(FaultServer::closeQuietly);
            if (listener != null) {
                FaultServer.closeQuietly(listener);
            }
            throw new IllegalStateException("cannot fill a loopback accept queue: " + e, e);
        } catch (RuntimeException e) {
            fillers.forEach(FaultServer::closeQuietly);
            if (listener != null) {
                FaultServer.closeQuietly(listener);
            }
            throw e;
        }
    }

    /** The port on {@code 127.0.0.1} where connects time out. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}. */
    public URI uri(String pathAndQuery) {
        return URI.create("http://" + LOOPBACK + ":" + port() + pathAndQuery);
    }

    /** This port as an HttpClient target host ({@code http}, {@code 127.0.0.1}, port). */
    public HttpHost httpHost() {
        return new HttpHost("http", LOOPBACK, port());
    }

    /** How many filler connections occupy the accept queue (2 on Linux for backlog 1). */
    public int fillerCount() {
        synchronized (fillers) {
            return fillers.size();
        }
    }

    /** Closes the filler connections and the listener. Idempotent. */
    @Override
    public void close() {
        synchronized (fillers) {
            fillers.forEach(FaultServer::closeQuietly);
            fillers.clear();
        }
        FaultServer.closeQuietly(listener);
    }

    @Override
    public String toString() {
        return "BacklogFullServer[" + LOOPBACK + ":" + listener.getLocalPort() + "]";
    }
}
