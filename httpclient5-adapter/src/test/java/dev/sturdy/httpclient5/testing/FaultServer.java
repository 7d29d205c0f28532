package dev.sturdy.httpclient5.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;

/**
 * A raw-socket HTTP/1.1 server on {@code 127.0.0.1} (ephemeral port) that answers each request with a
 * scripted {@link Fault} and records every request it reads.
 *
 * <pre>{@code
 * try (FaultServer server = FaultServer.start()) {
 *     server.enqueue(Fault.respond(503).header("Retry-After", "0"), Fault.resetAfterRequest());
 *     // ... requests to server.uri("/orders") ...: 503, then a reset, then the default (200)
 *     List<RecordedRequest> seen = server.awaitRequestCount(3, Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <p><b>Script.</b> Each request takes the next {@link Fault} from a FIFO queue, or the default
 * behaviour (initially {@code Fault.ok()}) when the queue is empty. Faults are taken in the order
 * requests arrive, across connections: {@link Fault#resetOnAccept()} when a connection is accepted
 * and finds it at the head of the queue, {@link Fault#resetBeforeRequest()} when a request's first
 * byte arrives, every other fault once the request has been read. With concurrent requests the order
 * across connections is the arrival order, so script concurrent tests with the default behaviour.
 *
 * <p><b>Protocol.</b> HTTP/1.1 with keep-alive, Content-Length and chunked request bodies, and
 * {@code Expect: 100-continue}; responses always carry {@code Content-Length} (never chunked).
 *
 * <p><b>Threads.</b> One acceptor thread and one thread per connection, all daemon threads named
 * {@link #threadNamePrefix()}{@code + ...}. {@link #close()} closes every socket (FIN), ends every
 * delay, joins every thread (2 s grace) and throws if one is still running or if a handler failed
 * with anything but an {@code IOException}.
 *
 * <p>Thread-safe.
 */
public final class FaultServer implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Object lock = new Object();
    private final LoopbackListener listener;

    // guarded by lock
    private final ArrayDeque<Fault> script = new ArrayDeque<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private Fault defaultBehaviour;
    private int resetBeforeRequestCount;

    private FaultServer(Fault defaultBehaviour) throws IOException {
        this.defaultBehaviour = Objects.requireNonNull(defaultBehaviour, "defaultBehaviour");
        this.listener = new LoopbackListener(new ServerSocket(), 128, "", lock);
        listener.start(this::onAccept);
    }

    /** Starts a server whose default behaviour is {@code Fault.ok()} (200, empty body). */
    public static FaultServer start() {
        return start(Fault.ok());
    }

    /** Starts a server that applies {@code defaultBehaviour} whenever its script is empty. */
    public static FaultServer start(Fault defaultBehaviour) {
        try {
            return new FaultServer(defaultBehaviour);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback server socket", e);
        }
    }

    /** Appends {@code faults} to the script; each is used for exactly one request, in order. */
    public FaultServer enqueue(Fault... faults) {
        for (Fault fault : faults) {
            Objects.requireNonNull(fault, "fault");
        }
        synchronized (lock) {
            script.addAll(Arrays.asList(faults));
        }
        return this;
    }

    /** Replaces the behaviour used when the script is empty. */
    public FaultServer setDefaultBehaviour(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        synchronized (lock) {
            defaultBehaviour = fault;
        }
        return this;
    }

    /** How many scripted faults have not been used yet. */
    public int pendingFaultCount() {
        synchronized (lock) {
            return script.size();
        }
    }

    /** The bound port on {@code 127.0.0.1}. */
    public int port() {
        return listener.port();
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://" + LOOPBACK + ":" + port();
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}; {@code pathAndQuery} must start with {@code /}. */
    public URI uri(String pathAndQuery) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("pathAndQuery: " + pathAndQuery + " (expected: starts with /)");
        }
        return URI.create(baseUrl() + pathAndQuery);
    }

    /** This server as an HttpClient target host ({@code http}, {@code 127.0.0.1}, port). */
    public HttpHost httpHost() {
        return new HttpHost("http", LOOPBACK, port());
    }

    /** The prefix of every thread name of this server, e.g. {@code "fault-server-3-"}. */
    public String threadNamePrefix() {
        return listener.threadNamePrefix();
    }

    /** How many requests were read (requests reset before being read are not counted). */
    public int requestCount() {
        synchronized (lock) {
            return requests.size();
        }
    }

    /** How many requests with exactly this method (case-sensitive, e.g. {@code "POST"}) were read. */
    public int requestCount(String method) {
        synchronized (lock) {
            return (int) requests.stream().filter(r -> r.method().equals(method)).count();
        }
    }

    /** A snapshot of every request read so far, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** How many connections were accepted, including those reset before their request. */
    public int connectionCount() {
        return listener.connectionCount();
    }

    /** How many connections are open right now (accepted and not yet closed by either side). */
    public int openConnectionCount() {
        return listener.openConnectionCount();
    }

    /**
     * How many connections were reset before a request was read on them: the uses of
     * {@link Fault#resetOnAccept()} and {@link Fault#resetBeforeRequest()}.
     */
    public int resetBeforeRequestCount() {
        synchronized (lock) {
            return resetBeforeRequestCount;
        }
    }

    /**
     * Waits until at least {@code count} requests were read and returns them all.
     *
     * @throws AssertionError if fewer arrived within {@code timeout}; the message lists those that did
     */
    public List<RecordedRequest> awaitRequestCount(int count, Duration timeout) {
        await(() -> requests.size() >= count, timeout,
                () -> "expected at least " + count + " requests, got " + requests.size() + ": " + requests);
        return requests();
    }

    /**
     * Waits until exactly {@code count} connections are open (for example 0 after a client closed
     * its pool, or after a fault closed the connection).
     *
     * @throws AssertionError if that does not happen within {@code timeout}
     */
    public void awaitOpenConnectionCount(int count, Duration timeout) {
        await(() -> listener.openConnectionCount() == count, timeout,
                () -> "expected " + count + " open connections, got " + listener.openConnectionCount());
    }

    private void await(BooleanSupplier condition, Duration timeout, Supplier<String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    throw new AssertionError(failure.get() + " (waited " + timeout.toMillis() + " ms)");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, leftNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted: " + failure.get(), e);
                }
            }
        }
    }

    /**
     * Stops the server: closes the listening socket and every connection (a silent or delayed
     * exchange ends with FIN), joins every thread. Idempotent.
     *
     * @throws IllegalStateException if a thread did not stop within 2 s, or a connection handler
     *                               failed with an unexpected (non-I/O) exception
     */
    @Override
    public void close() {
        listener.close("FaultServer threads still running after close: ", "FaultServer connection handler failed");
    }

    @Override
    public String toString() {
        return "FaultServer[" + baseUrl() + "]";
    }

    /** A connection that finds {@link Fault#resetOnAccept()} at the head of the script is reset at once. */
    private LoopbackListener.Handler onAccept(int connectionId) {
        if (script.peek() != Fault.ResetOnAccept.INSTANCE) {
            return this::serve;
        }
        script.poll();
        resetBeforeRequestCount++;
        return LoopbackListener.RESET;
    }

    private void serve(Socket socket, int connectionId) throws IOException {
        BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = new BufferedOutputStream(socket.getOutputStream());
        Http1RequestReader reader = new Http1RequestReader(in);
        boolean keepAlive = true;
        while (keepAlive) {
            in.mark(1);
            if (in.read() < 0) {
                return; // the client closed an idle connection
            }
            in.reset();
            if (takeResetBeforeRequest()) {
                reset(socket);
                return;
            }
            Http1RequestReader.Head head = reader.readHead();
            if (head == null) {
                return;
            }
            if (head.expectsContinue()) {
                out.write(CONTINUE);
                out.flush();
            }
            byte[] body = reader.readBody(head);
            Fault fault = record(connectionId, head, body);
            keepAlive = apply(fault, head, socket, in, out) && !head.wantsClose();
        }
    }

    private boolean takeResetBeforeRequest() {
        synchronized (lock) {
            Fault head = script.peek();
            if (head != Fault.ResetBeforeRequest.INSTANCE && head != Fault.ResetOnAccept.INSTANCE) {
                return false;
            }
            script.poll();
            resetBeforeRequestCount++;
            lock.notifyAll();
            return true;
        }
    }

    private Fault record(int connectionId, Http1RequestReader.Head head, byte[] body) {
        long receivedNanos = System.nanoTime();
        synchronized (lock) {
            Fault fault = script.isEmpty() ? defaultBehaviour : script.poll();
            requests.add(new RecordedRequest(requests.size() + 1, connectionId, head.method(), head.target(),
                    head.headers(), body, receivedNanos, fault));
            lock.notifyAll();
            return fault;
        }
    }

    /** Applies {@code fault}; returns whether the connection may carry another request. */
    private boolean apply(Fault fault, Http1RequestReader.Head head, Socket socket, InputStream in,
            OutputStream out) throws IOException {
        if (fault instanceof Fault.Respond respond) {
            if (!pause(respond.delay())) {
                return false;
            }
            boolean close = respond.closeConnection() || head.wantsClose();
            writeResponse(out, respond.status(), respond.headers(), respond.bodyNoCopy(), close,
                    "HEAD".equals(head.method()));
            if (close) {
                socket.shutdownOutput();
            }
            return !close;
        }
        if (fault instanceof Fault.SlowDrip drip) {
            byte[] body = drip.bodyNoCopy();
            writeHead(out, 200, List.of(), body.length, false);
            out.flush();
            for (byte b : body) {
                if (!pause(drip.interval())) {
                    return false;
                }
                out.write(b);
                out.flush();
            }
            return true;
        }
        if (fault instanceof Fault.TruncatedBody truncated) {
            writeHead(out, 200, List.of(), truncated.declaredLength(), false);
            byte[] partial = new byte[truncated.sentLength()];
            Arrays.fill(partial, (byte) 'x');
            out.write(partial);
            out.flush();
            socket.shutdownOutput();
            return false;
        }
        if (fault == Fault.CloseWithoutResponse.INSTANCE) {
            socket.shutdownOutput();
            return false;
        }
        if (fault == Fault.Silent.INSTANCE) {
            byte[] sink = new byte[1024];
            while (in.read(sink) >= 0) {
                // hold the connection; whatever the client sends is dropped
            }
            return false;
        }
        // resetAfterRequest, or a reset-before-request fault that reached a read request through a race
        reset(socket);
        return false;
    }

    /** Waits {@code wait} unless the server closes first; returns false if it closed. */
    private boolean pause(Duration wait) {
        return wait.isZero() || listener.pause(wait);
    }

    private static void writeResponse(OutputStream out, int status, List<HeaderField> headers, byte[] body,
            boolean close, boolean headRequest) throws IOException {
        boolean bodyAllowed = status >= 200 && status != 204 && status != 304;
        writeHead(out, status, headers, bodyAllowed ? body.length : -1, close);
        if (bodyAllowed && !headRequest) {
            out.write(body);
        }
        out.flush();
    }

    /** Writes the status line and headers; adds Content-Length (unless {@code contentLength < 0} or present). */
    private static void writeHead(OutputStream out, int status, List<HeaderField> headers, long contentLength,
            boolean close) throws IOException {
        String reason = EnglishReasonPhraseCatalog.INSTANCE.getReason(status, Locale.ROOT);
        StringBuilder head = new StringBuilder(128)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason == null ? "" : reason).append("\r\n");
        boolean hasLength = false;
        boolean hasConnection = false;
        for (HeaderField header : headers) {
            head.append(header.name()).append(": ").append(header.value()).append("\r\n");
            hasLength |= header.hasName("Content-Length");
            hasConnection |= header.hasName("Connection");
        }
        if (contentLength >= 0 && !hasLength) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        if (close && !hasConnection) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Closes with {@code SO_LINGER 0}: the peer gets RST instead of FIN. */
    static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed: nothing to reset
        }
        closeQuietly(socket);
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }
}
