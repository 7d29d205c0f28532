package dev.sturdy.httpclient5;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A small HTTP/1.1 loopback server for the ejection tests, for what {@code FaultServer} cannot do: answer
 * by <em>path</em> (a replica whose {@code /health} says 404 while its API says 200), and listen on a
 * <em>given</em> port (a blue/green switch that starts listening where connections were refused).
 * Keep-alive, {@code Content-Length} bodies only. A {@link Reply#silent()} reply reads the request and never
 * answers until the client or the server closes the connection.
 *
 * <p>Threads: one acceptor and one per connection, daemons named {@code ejection-server-N-...}; {@link #close()}
 * closes every socket and joins them.
 *
 * <p>Thread-safe.
 */
final class EjectionServer implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();
    static final String THREAD_PREFIX = "ejection-server-";

    /** What the server does with one request. */
    record Reply(int status, Duration delay, boolean silent) {

        static Reply status(int status) {
            return new Reply(status, Duration.ZERO, false);
        }

        static Reply silence() {
            return new Reply(0, Duration.ZERO, true);
        }

        Reply delayedBy(Duration d) {
            return new Reply(status, d, silent);
        }
    }

    /** One request as read: method, target (path and query), {@code Host} header. */
    record Seen(String method, String target, String host) {
        String path() {
            final int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    private final ServerSocket serverSocket;
    private final String threadPrefix;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Object lock = new Object();
    private volatile Function<String, Reply> route;
    // guarded by lock
    private final List<Seen> seen = new ArrayList<>();
    private final Set<Socket> sockets = new HashSet<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    private EjectionServer(int port, Function<String, Reply> route) throws IOException {
        this.route = Objects.requireNonNull(route, "route");
        this.threadPrefix = THREAD_PREFIX + IDS.incrementAndGet() + "-";
        this.serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        startThread("accept", this::acceptLoop);
    }

    /** Starts a server on an ephemeral loopback port; {@code route} maps each request's path to a reply. */
    static EjectionServer start(Function<String, Reply> route) {
        return startOn(0, route);
    }

    /** Starts a server on the given loopback port (0 for an ephemeral one). */
    static EjectionServer startOn(int port, Function<String, Reply> route) {
        try {
            return new EjectionServer(port, route);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind 127.0.0.1:" + port, e);
        }
    }

    /** Replaces how requests are answered, from the next request on. */
    void route(Function<String, Reply> route) {
        this.route = Objects.requireNonNull(route, "route");
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    /** @return {@code http://127.0.0.1:port} */
    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** @return every request read so far, in arrival order */
    List<Seen> requests() {
        synchronized (lock) {
            return List.copyOf(seen);
        }
    }

    /** @return how many requests for exactly this path (without query) were read */
    int count(String path) {
        synchronized (lock) {
            return (int) seen.stream().filter(s -> s.path().equals(path)).count();
        }
    }

    /** @return how many requests whose path does not equal {@code path} were read */
    int countOther(String path) {
        synchronized (lock) {
            return (int) seen.stream().filter(s -> !s.path().equals(path)).count();
        }
    }

    private void startThread(String name, Runnable body) {
        final Thread t = new Thread(body, threadPrefix + name);
        t.setDaemon(true);
        synchronized (lock) {
            threads.add(t);
        }
        t.start();
    }

    private void acceptLoop() {
        while (true) {
            final Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (lock) {
                if (closed) {
                    closeQuietly(socket);
                    return;
                }
                sockets.add(socket);
            }
            startThread("conn-" + socket.getPort(), () -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final OutputStream out = socket.getOutputStream();
            while (true) {
                final String requestLine = readLine(in);
                if (requestLine == null) {
                    return;
                }
                if (requestLine.isEmpty()) {
                    continue;
                }
                final String[] parts = requestLine.split(" ");
                String host = null;
                long contentLength = 0;
                boolean close = false;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    final int colon = line.indexOf(':');
                    if (colon <= 0) {
                        continue;
                    }
                    final String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    final String value = line.substring(colon + 1).trim();
                    if (name.equals("host")) {
                        host = value;
                    } else if (name.equals("content-length")) {
                        contentLength = Long.parseLong(value);
                    } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                        close = true;
                    }
                }
                in.skipNBytes(contentLength);
                final Seen request = new Seen(parts[0], parts.length > 1 ? parts[1] : "", host);
                synchronized (lock) {
                    seen.add(request);
                }
                final Reply reply = route.apply(request.path());
                if (reply.silent()) {
                    while (in.read() >= 0) {
                        // hold the exchange open until the client gives up or the server closes
                    }
                    return;
                }
                if (!reply.delay().isZero() && closing.await(reply.delay().toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
                final byte[] body = ("status " + reply.status()).getBytes(StandardCharsets.US_ASCII);
                final String head = "HTTP/1.1 " + reply.status() + " Status\r\n"
                        + "Content-Type: text/plain\r\n"
                        + "Content-Length: " + body.length + "\r\n"
                        + (close ? "Connection: close\r\n" : "")
                        + "\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client went away or the server is closing
        } finally {
            synchronized (lock) {
                sockets.remove(socket);
            }
        }
    }

    /** @return a CRLF- or LF-terminated line without its terminator, or null at end of stream */
    private static String readLine(InputStream in) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                final byte[] bytes = line.toByteArray();
                final int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 16 * 1024) {
                throw new IOException("line too long");
            }
            line.write(b);
        }
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Closes the listening socket and every connection and joins every thread (2 s grace). Idempotent. */
    @Override
    public void close() {
        final List<Socket> open;
        final List<Thread> all;
        synchronized (lock) {
            closed = true;
            open = new ArrayList<>(sockets);
            all = new ArrayList<>(threads);
        }
        closing.countDown();
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(EjectionServer::closeQuietly);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread t : all) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        final List<String> alive = all.stream().filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toList());
        if (!alive.isEmpty()) {
            throw new IllegalStateException("threads still alive after close: " + alive);
        }
    }

    @Override
    public String toString() {
        return "EjectionServer[" + baseUrl() + "]";
    }
}
