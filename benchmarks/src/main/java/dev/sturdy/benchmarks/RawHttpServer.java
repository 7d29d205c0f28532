package dev.sturdy.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal HTTP/1.1 server on raw sockets for loopback measurements: one thread per connection,
 * keep-alive, requests without a body (their head ends at the first empty line), pipelining allowed.
 * Each request is answered with the bytes a {@link Responder} picks; nothing is parsed beyond the end
 * of the head, so the server costs as little as possible next to the client under test.
 *
 * <p>Thread-safety: thread-safe; {@link #requests()} may be read at any time.
 */
public final class RawHttpServer implements AutoCloseable {

    /** Chooses the response bytes of each request. */
    @FunctionalInterface
    public interface Responder {
        /**
         * @param requestNumber 0 for the server's first request, then 1, 2 ...
         * @return the whole response (status line, headers, body), written in one go
         */
        byte[] respond(long requestNumber);
    }

    private final ServerSocket serverSocket;
    private final Responder responder;
    private final AtomicLong requests = new AtomicLong();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Starts a server on an ephemeral port of 127.0.0.1.
     *
     * @param name      thread name prefix
     * @param responder picks each response
     */
    public RawHttpServer(String name, Responder responder) throws IOException {
        this.responder = responder;
        this.serverSocket = new ServerSocket();
        this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        this.acceptor = new Thread(this::acceptLoop, name + "-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /**
     * A response with a body and {@code Content-Length}.
     *
     * @param status       status code
     * @param reason       reason phrase
     * @param extraHeaders more header lines, each ending in CRLF ("" for none)
     * @param body         the body
     * @return the bytes
     */
    public static byte[] response(int status, String reason, String extraHeaders, String body) {
        final String s = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: text/plain\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + extraHeaders
                + "\r\n" + body;
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the port */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** @return requests answered so far */
    public long requests() {
        return requests.get();
    }

    private void acceptLoop() {
        int n = 0;
        while (!closed) {
            final Socket socket;
            try {
                socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
            } catch (IOException e) {
                return; // closed
            }
            connections.add(socket);
            final Thread t = new Thread(() -> serve(socket), acceptor.getName().replace("-accept", "-conn-" + n++));
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket socket) {
        final byte[] buf = new byte[8192];
        try (socket) {
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            int match = 0; // how much of CR LF CR LF has been seen
            while (true) {
                final int read = in.read(buf);
                if (read < 0) {
                    return;
                }
                for (int i = 0; i < read; i++) {
                    final byte b = buf[i];
                    if (b == '\r') {
                        match = match == 2 ? 3 : 1;
                    } else if (b == '\n' && (match == 1 || match == 3)) {
                        match++;
                    } else {
                        match = 0;
                    }
                    if (match == 4) {
                        match = 0;
                        out.write(responder.respond(requests.getAndIncrement()));
                    }
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
