package dev.sturdy.examples;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A tiny HTTP/1.1 server on {@code 127.0.0.1} (plain or TLS) for the examples: keep-alive, one thread
 * per connection, answers chosen by a {@link Handler}. It can reproduce the failures sturdy is built
 * for: it can {@linkplain #down() close its port} and {@linkplain #up() bind it again}, and a TLS
 * server can {@linkplain #stallHandshakes(boolean) accept connections without ever answering the TLS
 * handshake}. It counts the HTTP requests it received ({@link #requests()}), which is how the demo
 * reports attempts per call from the server's side.
 *
 * <p>Not a general-purpose server: request bodies must carry a {@code Content-Length}.
 *
 * <p>Thread-safety: thread-safe.
 */
final class LoopbackServer implements Closeable {

    /** Chooses the answer to one request; may sleep (a slow replica). */
    @FunctionalInterface
    interface Handler {
        Reply handle(Request request) throws InterruptedException;
    }

    /**
     * One received request.
     *
     * @param method  the method
     * @param path    the request target
     * @param headers header names in lower case, first value of each
     */
    record Request(String method, String path, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * One answer: a status, extra headers, a text body, and a delay before it is sent.
     *
     * @param status      the status code
     * @param headers     extra header name/value pairs
     * @param body        the body (UTF-8 text)
     * @param delayMillis how long to wait before answering
     */
    record Reply(int status, List<String[]> headers, String body, long delayMillis) {
        static Reply of(int status, String body) {
            return new Reply(status, List.of(), body, 0);
        }

        Reply withHeader(String name, String value) {
            final List<String[]> all = new ArrayList<>(headers);
            all.add(new String[] {name, value});
            return new Reply(status, all, body, delayMillis);
        }

        Reply delayed(long millis) {
            return new Reply(status, headers, body, millis);
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String name;
    private final Handler handler;
    private final SSLContext tls; // null = plain HTTP
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger stalled = new AtomicInteger();
    private volatile boolean stallHandshakes;
    private volatile boolean closed;
    private volatile ServerSocket listener;
    private volatile int port;

    private LoopbackServer(String name, Handler handler, SSLContext tls) {
        this.name = name;
        this.handler = handler;
        this.tls = tls;
        this.connections = Executors.newCachedThreadPool(r -> {
            final Thread t = new Thread(r, "loopback-" + name + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a plain HTTP server on an ephemeral loopback port.
     *
     * @param name    a short name for thread names
     * @param handler chooses the answers
     * @return the running server
     * @throws IOException if no port can be bound
     */
    static LoopbackServer start(String name, Handler handler) throws IOException {
        return start(name, handler, null);
    }

    /**
     * Starts a server on an ephemeral loopback port.
     *
     * @param name    a short name for thread names
     * @param handler chooses the answers
     * @param tls     the TLS identity, or null for plain HTTP
     * @return the running server
     * @throws IOException if no port can be bound
     */
    static LoopbackServer start(String name, Handler handler, SSLContext tls) throws IOException {
        final LoopbackServer server = new LoopbackServer(name, handler, tls);
        server.bind(0);
        return server;
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:53122} */
    String baseUrl() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    /** @return the port, the same after {@link #down()} and {@link #up()} */
    int port() {
        return port;
    }

    /** @return HTTP requests received so far (a connection that never got a request counts nothing) */
    int requests() {
        return requests.get();
    }

    /** @return TCP connections accepted so far */
    int connectionsAccepted() {
        return accepted.get();
    }

    /** @return connections accepted while {@linkplain #stallHandshakes(boolean) stalling}, never answered */
    int connectionsStalled() {
        return stalled.get();
    }

    /**
     * Closes the port and every open connection: connecting now fails with "connection refused", as
     * when a deployment points at a port where nothing listens yet.
     */
    synchronized void down() {
        final ServerSocket s = listener;
        listener = null;
        closeQuietly(s);
        dropConnections();
    }

    /**
     * Binds the same port again after {@link #down()}.
     *
     * @throws IOException if the port cannot be bound again
     */
    synchronized void up() throws IOException {
        if (listener == null && !closed) {
            bind(port);
        }
    }

    /**
     * For a TLS server: while on, accepted connections get no answer at all (the TLS handshake never
     * completes; the connection stays open). Turning it on also drops the open connections, so that
     * clients must connect again, as after a restart. Connections stalled once stay stalled.
     *
     * @param stall true to stall the handshakes of new connections
     */
    void stallHandshakes(boolean stall) {
        this.stallHandshakes = stall;
        if (stall) {
            dropConnections();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(listener);
        listener = null;
        dropConnections();
        connections.shutdownNow();
        try {
            connections.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void bind(int wanted) throws IOException {
        final ServerSocket s = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
        s.setReuseAddress(true); // bind the same port again right after down()
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 128);
        this.port = s.getLocalPort();
        this.listener = s;
        final Thread acceptor = new Thread(() -> acceptLoop(s), "loopback-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            final Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                return; // closed by down() or close()
            }
            accepted.incrementAndGet();
            open.add(socket);
            if (closed) { // close() ran while this connection was being accepted
                dropConnections();
                return;
            }
            if (stallHandshakes) {
                stalled.incrementAndGet();
                continue; // hold it open and never read or write: the client's handshake waits forever
            }
            try {
                connections.execute(() -> serve(socket));
            } catch (RuntimeException rejected) { // closing
                closeQuietly(socket);
            }
        }
    }

    private void dropConnections() {
        open.removeIf(socket -> {
            closeQuietly(socket);
            return true;
        });
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true); // no Nagle delay between TLS records or responses
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final OutputStream out = socket.getOutputStream();
            while (!closed) {
                final String requestLine = readLine(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                final String[] parts = requestLine.split(" ");
                final Map<String, String> headers = new LinkedHashMap<>();
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    final int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                line.substring(colon + 1).trim());
                    }
                }
                final long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
                in.skipNBytes(length);
                requests.incrementAndGet();
                final Request request = new Request(parts[0], parts.length > 1 ? parts[1] : "/", headers);
                final Reply reply = handler.handle(request);
                if (reply.delayMillis() > 0) {
                    Thread.sleep(reply.delayMillis());
                }
                final byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
                final StringBuilder head = new StringBuilder(128)
                        .append("HTTP/1.1 ").append(reply.status()).append(' ').append(reason(reply.status())).append("\r\n")
                        .append("Content-Type: text/plain; charset=utf-8\r\n")
                        .append("Content-Length: ").append(body.length).append("\r\n");
                for (String[] h : reply.headers()) {
                    head.append(h[0]).append(": ").append(h[1]).append("\r\n");
                }
                final byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
                final byte[] message = Arrays.copyOf(headBytes, headBytes.length + body.length);
                System.arraycopy(body, 0, message, headBytes.length, body.length);
                out.write(message); // one write: head and body in one segment
                out.flush();
                if ("close".equalsIgnoreCase(headers.get("connection"))) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (timeout, reset) or the server is closing: drop the connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        final StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                final int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() > 8192) {
                throw new IOException("line too long");
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 404: return "Not Found";
            case 409: return "Conflict";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing to do
        }
    }

    @Override
    public String toString() {
        return name + " " + baseUrl();
    }
}
