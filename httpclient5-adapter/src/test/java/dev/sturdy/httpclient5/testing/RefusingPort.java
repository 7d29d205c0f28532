package dev.sturdy.httpclient5.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.hc.core5.http.HttpHost;

/**
 * A loopback port where nothing listens, so a connect is refused at once (the kernel answers the SYN
 * with RST). HttpClient 5 classic throws {@code HttpHostConnectException} (a {@code ConnectException},
 * "Connection refused").
 *
 * <p>How: bind a {@link ServerSocket} to a free port and close it. The small race: another process may
 * bind the same port between {@link #find()} and the test's connect; on a test machine that is
 * negligible. The port is picked <em>below</em> Linux's ephemeral range when possible, so the client's
 * own ephemeral source port can never equal it (a TCP self-connect would otherwise turn a refused
 * connect into a successful one once in many thousand runs).
 *
 * <p>Immutable and thread-safe; owns no socket and no thread.
 */
public final class RefusingPort {

    private static final String LOOPBACK = "127.0.0.1";
    private static final int FIRST_UNPRIVILEGED_PORT = 1024;
    private static final int TRIES = 50;

    private final int port;

    private RefusingPort(int port) {
        this.port = port;
    }

    /** Finds a loopback port that is free right now. */
    public static RefusingPort find() {
        int ephemeralLow = ephemeralRangeLow();
        for (int i = 0; i < TRIES && ephemeralLow > FIRST_UNPRIVILEGED_PORT + 1000; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(FIRST_UNPRIVILEGED_PORT + 1000, ephemeralLow);
            if (isFree(candidate)) {
                return new RefusingPort(candidate);
            }
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return new RefusingPort(socket.getLocalPort());
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free loopback port", e);
        }
    }

    /** The port, on {@code 127.0.0.1}. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}. */
    public URI uri(String pathAndQuery) {
        return URI.create("http://" + LOOPBACK + ":" + port + pathAndQuery);
    }

    /** This port as an HttpClient target host ({@code http}, {@code 127.0.0.1}, port). */
    public HttpHost httpHost() {
        return new HttpHost("http", LOOPBACK, port);
    }

    @Override
    public String toString() {
        return "RefusingPort[" + LOOPBACK + ":" + port + "]";
    }

    private static boolean isFree(int candidate) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), candidate));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The low end of Linux's ephemeral port range, or 0 when unknown (then any free port is used). */
    private static int ephemeralRangeLow() {
        try {
            // readAllLines, not readString: procfs reports size 0 and readString then returns a prefix
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
