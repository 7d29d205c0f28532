package dev.sturdy.httpclient5.faulttable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * A TLS HTTP/1.1 server on {@code 127.0.0.1} with the {@linkplain TestTls test certificate} that breaks
 * the TLS handshake of its first {@code faultyHandshakes} connections (it reads the first bytes of the
 * ClientHello, then resets the connection with RST or closes it with FIN, see {@link HandshakeFault}),
 * and answers every request on later connections with {@code 200 OK}, body {@code ok}.
 *
 * <p>A fault this early proves the client never sent its HTTP request: the TLS session never existed.
 * The server records the first byte of every faulted connection ({@code 0x16}, a TLS handshake record),
 * so a test can prove the client was handshaking.
 *
 * <p>Threads: one acceptor, one per answered connection, all daemons named {@code tls-test-server-*};
 * {@link #close()} closes every socket and joins them. Thread-safe.
 */
public final class TlsTestServer implements AutoCloseable {

    /** Use as {@code faultyHandshakes} to break every handshake. */
    public static final int ALL = Integer.MAX_VALUE;

    /** How a handshake is broken, once the ClientHello's first bytes arrived. */
    public enum HandshakeFault {
        /** Close with {@code SO_LINGER 0}: the client gets RST. */
        RESET,
        /** Close normally: the client gets FIN before any ServerHello. */
        CLOSE
    }

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    /** A request the server answered. */
    public record ServedRequest(String method, String target, String body) {
    }

    private final ServerSocket listener;
    private final int faultyHandshakes;
    private final HandshakeFault handshakeFault;
    private final String[] protocols; // null: the JDK's defaults
    private final String threadPrefix = "tls-test-server-" + IDS.incrementAndGet() + "-";
    private final Object lock = new Object();
    // guarded by lock
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Integer> faultedFirstBytes = new ArrayList<>();
    private final List<ServedRequest> served = new ArrayList<>();
    private int accepted;
    private int handshakeFailures;
    private boolean closed;

    private TlsTestServer(int faultyHandshakes, HandshakeFault handshakeFault, String[] protocols) throws IOException {
        this.faultyHandshakes = faultyHandshakes;
        this.handshakeFault = handshakeFault;
        this.protocols = protocols;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
        startThread("accept", this::acceptLoop);
    }

    /** A server that resets the handshake of its first {@code resetHandshakes} connections. */
    public static TlsTestServer start(int resetHandshakes) {
        return start(resetHandshakes, HandshakeFault.RESET);
    }

    /** A server that breaks the handshake of its first {@code faultyHandshakes} connections that way. */
    public static TlsTestServer start(int faultyHandshakes, HandshakeFault fault) {
        try {
            return new TlsTestServer(faultyHandshakes, fault, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback server socket", e);
        }
    }

    /** A server that answers every connection. */
    public static TlsTestServer answering() {
        return start(0);
    }

    /** A server that answers every connection, speaking only these TLS versions (e.g. {@code "TLSv1.3"}). */
    public static TlsTestServer answeringOnly(String... protocols) {
        try {
            return new TlsTestServer(0, HandshakeFault.RESET, protocols.clone());
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback server socket", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code https://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port() + path);
    }

    /** TCP connections accepted (reset or not). */
    public int acceptedCount() {
        synchronized (lock) {
            return accepted;
        }
    }

    /**
     * The first byte each connection with a broken handshake sent, in order ({@code 0x16} for a TLS
     * handshake record, -1 for none).
     */
    public List<Integer> faultedFirstBytes() {
        synchronized (lock) {
            return List.copyOf(faultedFirstBytes);
        }
    }

    /** Handshakes that failed on the server's side (e.g. the client rejected the certificate and left). */
    public int handshakeFailures() {
        synchronized (lock) {
            return handshakeFailures;
        }
    }

    /** The requests answered so far. */
    public List<ServedRequest> served() {
        synchronized (lock) {
            return List.copyOf(served);
        }
    }

    /** Waits up to {@code millis} until {@code count} handshake failures were seen; returns the count. */
    public int awaitHandshakeFailures(int count, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (lock) {
            while (handshakeFailures < count) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                lock.wait(left);
            }
            return handshakeFailures;
        }
    }

    @Override
    public void close() {
        List<Socket> open;
        List<Thread> toJoin;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(sockets);
            toJoin = new ArrayList<>(threads);
        }
        closeQuietly(listener);
        open.forEach(TlsTestServer::closeQuietly);
        for (Thread thread : toJoin) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (thread.isAlive()) {
                throw new IllegalStateException("TlsTestServer thread still running after close: " + thread.getName());
            }
        }
    }

    @Override
    public String toString() {
        return "TlsTestServer[https://127.0.0.1:" + port() + ", breaks " + faultyHandshakes + " handshakes ("
                + handshakeFault + ")]";
    }

    private void acceptLoop() {
        while (true) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return;
            }
            boolean faulty;
            synchronized (lock) {
                if (closed) {
                    closeQuietly(socket);
                    return;
                }
                accepted++;
                faulty = accepted <= faultyHandshakes;
                sockets.add(socket);
                lock.notifyAll();
            }
            if (faulty) {
                breakHandshake(socket);
            } else {
                startThread("conn-" + acceptedCount(), () -> serve(socket));
            }
        }
    }

    /** Reads the first bytes of the ClientHello, then resets (RST via SO_LINGER 0) or closes (FIN). */
    private void breakHandshake(Socket socket) {
        int first = -1;
        try {
            socket.setSoTimeout(2_000);
            first = socket.getInputStream().read();
        } catch (IOException e) {
            // the client gave up first: reset anyway
        }
        synchronized (lock) {
            faultedFirstBytes.add(first);
        }
        try {
            if (handshakeFault == HandshakeFault.RESET) {
                socket.setSoLinger(true, 0);
            } else {
                // FIN now; read until the client closes, so no unread byte turns the close into RST
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                byte[] sink = new byte[1024];
                while (in.read(sink) >= 0) {
                    // drain
                }
            }
        } catch (IOException e) {
            // the client went away: close anyway
        }
        closeQuietly(socket);
        forget(socket);
    }

    private void serve(Socket plain) {
        try {
            SSLSocket tls = (SSLSocket) TestTls.serverContext().getSocketFactory().createSocket(plain, null, true);
            if (protocols != null) {
                tls.setEnabledProtocols(protocols);
            }
            try {
                tls.startHandshake();
            } catch (IOException e) { // an alert from the client (SSLException), or it just closed
                synchronized (lock) {
                    handshakeFailures++;
                    lock.notifyAll();
                }
                return;
            }
            InputStream in = tls.getInputStream();
            OutputStream out = tls.getOutputStream();
            while (true) {
                String requestLine = readLine(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                int contentLength = 0;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                        contentLength = Integer.parseInt(line.substring(colon + 1).trim());
                    }
                }
                byte[] body = in.readNBytes(contentLength);
                String[] parts = requestLine.split(" ");
                synchronized (lock) {
                    served.add(new ServedRequest(parts[0], parts.length > 1 ? parts[1] : "",
                            new String(body, StandardCharsets.UTF_8)));
                }
                out.write(RESPONSE);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away or close() closed the socket
        } finally {
            closeQuietly(plain);
            forget(plain);
        }
    }

    /** Reads one CRLF-terminated line (ISO-8859-1), or null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private void forget(Socket socket) {
        synchronized (lock) {
            sockets.remove(socket);
        }
    }

    private void startThread(String name, Runnable body) {
        Thread thread = new Thread(body, threadPrefix + name);
        thread.setDaemon(true);
        synchronized (lock) {
            threads.removeIf(t -> !t.isAlive());
            threads.add(thread);
        }
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // best effort
        }
    }
}
