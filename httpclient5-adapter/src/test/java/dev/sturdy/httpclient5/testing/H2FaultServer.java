package dev.sturdy.httpclient5.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.apache.hc.core5.http2.hpack.HPackEncoder;
import org.apache.hc.core5.http2.hpack.HPackException;
import org.apache.hc.core5.util.ByteArrayBuffer;

/**
 * An HTTP/2 server on {@code 127.0.0.1} (cleartext with prior knowledge, or TLS offering only
 * {@code h2} by ALPN) that plays each stream a scripted {@link H2Fault} and records every request it
 * reads: the HTTP/2 twin of {@link FaultServer}.
 *
 * <p>Why hand-written frames rather than httpcore5-h2's server bootstrap: a fault test needs to send
 * frames no well-behaved server sends at a chosen moment, above all a GOAWAY whose last-stream-id is
 * <em>below</em> a stream the client opened (proof that the request was not processed), or a reset
 * of one stream after its request was read. The bootstrap's handlers cannot choose either. The
 * server speaks just enough HTTP/2 for HttpClient: the preface, SETTINGS (and their ACK), PING
 * replies, HEADERS/CONTINUATION and DATA from the client, and HEADERS, DATA, RST_STREAM and GOAWAY
 * back. Header blocks are decoded and encoded with httpcore5-h2's HPACK codec (one per connection,
 * as the dynamic table is per connection); responses are encoded without Huffman coding.
 *
 * <p><b>Script.</b> Each stream takes the next fault from a FIFO queue when its HEADERS arrive, or the
 * default behaviour once the queue is empty. Every fault acts once the request's END_STREAM arrived:
 * a fault that leaves the request unprocessed drops it (counted in {@link #unreadCount()}), the others
 * record it ({@link #requests()}, with no {@code fault()}: that accessor is HTTP/1.1's) first.
 *
 * <p><b>Threads.</b> One acceptor and one thread per connection, daemons named
 * {@code fault-server-<id>-*} ({@link FixtureThreads}); a connection's streams are served one after
 * the other on its thread (a slow drip holds its connection). {@link #close()} closes every socket
 * and joins every thread. Thread-safe.
 */
public final class H2FaultServer implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    // frame types and flags, RFC 9113 section 6
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    /** HTTP/2 error codes used by the faults (RFC 9113 section 7). */
    public static final int NO_ERROR = 0x0;
    public static final int INTERNAL_ERROR = 0x2;
    public static final int REFUSED_STREAM = 0x7;
    public static final int CANCEL = 0x8;

    private final String scheme;
    private final Object lock = new Object();
    private final LoopbackListener listener;

    // guarded by lock
    private final ArrayDeque<H2Fault> script = new ArrayDeque<>();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private H2Fault defaultBehaviour;
    private int unreadCount;
    private int streamsOpened;
    private final List<String> negotiated = new ArrayList<>();

    private H2FaultServer(H2Fault defaultBehaviour, SSLContext tls) throws IOException {
        this.defaultBehaviour = Objects.requireNonNull(defaultBehaviour, "defaultBehaviour");
        this.scheme = tls == null ? "http" : "https";
        ServerSocket serverSocket;
        if (tls == null) {
            serverSocket = new ServerSocket();
        } else {
            SSLServerSocket secure = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"}); // ALPN: HTTP/2 or nothing
            secure.setSSLParameters(parameters);
            serverSocket = secure;
        }
        this.listener = new LoopbackListener(serverSocket, 64, "h2-", lock);
        listener.start(connectionId -> this::serve);
    }

    /** Starts a server that plays {@code defaultBehaviour} whenever its script is empty. */
    public static H2FaultServer start(H2Fault defaultBehaviour) {
        return start(defaultBehaviour, null);
    }

    /**
     * Starts a server speaking HTTP/2 over TLS with {@code tls}'s key material, offering only {@code h2} by
     * ALPN (or, with {@code tls} null, cleartext HTTP/2 with prior knowledge).
     */
    public static H2FaultServer start(H2Fault defaultBehaviour, SSLContext tls) {
        try {
            return new H2FaultServer(defaultBehaviour, tls);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback server socket", e);
        }
    }

    /** Appends {@code faults} to the script; each is used for exactly one stream, in arrival order. */
    public H2FaultServer enqueue(H2Fault... faults) {
        synchronized (lock) {
            for (H2Fault fault : faults) {
                script.add(Objects.requireNonNull(fault, "fault"));
            }
        }
        return this;
    }

    public int port() {
        return listener.port();
    }

    /** {@code http://127.0.0.1:<port><path>}, or {@code https://} over TLS. */
    public URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + port() + path);
    }

    /** Over TLS, the protocol ALPN chose on each connection whose handshake completed, in order. */
    public List<String> negotiatedProtocols() {
        synchronized (lock) {
            return List.copyOf(negotiated);
        }
    }

    /** The requests read completely (END_STREAM seen), in arrival order; pseudo-headers are not in the headers. */
    public List<RecordedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** Streams answered before their request was read: a reset or a GOAWAY that left them unprocessed. */
    public int unreadCount() {
        synchronized (lock) {
            return unreadCount;
        }
    }

    /** Streams the client opened (HEADERS received), whatever happened to them. */
    public int streamsOpened() {
        synchronized (lock) {
            return streamsOpened;
        }
    }

    /** TCP connections accepted. */
    public int connectionCount() {
        return listener.connectionCount();
    }

    /** The prefix of every thread name of this server. */
    public String threadNamePrefix() {
        return listener.threadNamePrefix();
    }

    /**
     * Stops the server: closes the listener and every connection, joins every thread. Idempotent.
     *
     * @throws IllegalStateException if a thread is still running after 2 s, or a connection failed with
     *                               anything but an I/O error (a protocol error of the client included)
     */
    @Override
    public void close() {
        listener.close("H2FaultServer threads still running after close: ", "H2FaultServer connection failed");
    }

    @Override
    public String toString() {
        return "H2FaultServer[" + scheme + "://127.0.0.1:" + port() + "]";
    }

    private void serve(Socket socket, int connectionId) throws IOException {
        if (socket instanceof SSLSocket secure) {
            secure.startHandshake();
            synchronized (lock) {
                negotiated.add(secure.getApplicationProtocol());
            }
        }
        new Connection(socket, connectionId).run();
    }

    private H2Fault take() {
        synchronized (lock) {
            streamsOpened++;
            return script.isEmpty() ? defaultBehaviour : script.poll();
        }
    }

    /** One client connection: frames in, frames out, one thread. */
    private final class Connection {

        private final Socket socket;
        private final int connectionId;
        private final DataInputStream in;
        private final OutputStream out;
        private final HPackDecoder decoder = new HPackDecoder(4096, StandardCharsets.US_ASCII);
        private final HPackEncoder encoder = new HPackEncoder(4096, StandardCharsets.US_ASCII);
        private final Map<Integer, Stream> streams = new HashMap<>();
        private int lastStreamId;

        Connection(Socket socket, int connectionId) throws IOException {
            this.socket = socket;
            this.connectionId = connectionId;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            this.out = new BufferedOutputStream(socket.getOutputStream());
        }

        void run() throws IOException {
            byte[] preface = new byte[PREFACE.length];
            in.readFully(preface);
            if (!Arrays.equals(preface, PREFACE)) {
                throw new IllegalStateException("not an HTTP/2 prior-knowledge preface: "
                        + new String(preface, StandardCharsets.ISO_8859_1));
            }
            frame(SETTINGS, 0, 0, new byte[0]);
            out.flush();
            while (true) {
                int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int streamId = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (!onFrame(type, flags, streamId, payload)) {
                    return;
                }
            }
        }

        /** Handles one frame; returns false when the connection is to end. */
        private boolean onFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
            switch (type) {
                case SETTINGS:
                    if ((flags & ACK) == 0) {
                        frame(SETTINGS, ACK, 0, new byte[0]);
                        out.flush();
                    }
                    return true;
                case PING:
                    if ((flags & ACK) == 0) {
                        frame(PING, ACK, 0, payload);
                        out.flush();
                    }
                    return true;
                case HEADERS: {
                    int offset = 0;
                    int end = payload.length;
                    if ((flags & PADDED) != 0) {
                        end -= payload[0] & 0xff;
                        offset = 1;
                    }
                    if ((flags & PRIORITY) != 0) {
                        offset += 5;
                    }
                    Stream stream = new Stream(streamId);
                    stream.block.write(payload, offset, end - offset);
                    stream.endStream = (flags & END_STREAM) != 0;
                    streams.put(streamId, stream);
                    lastStreamId = streamId;
                    return (flags & END_HEADERS) == 0 || headersComplete(stream);
                }
                case CONTINUATION: {
                    Stream stream = streams.get(streamId);
                    if (stream == null) {
                        return true;
                    }
                    stream.block.write(payload);
                    return (flags & END_HEADERS) == 0 || headersComplete(stream);
                }
                case DATA: {
                    Stream stream = streams.get(streamId);
                    if (stream == null) {
                        return true;
                    }
                    int offset = 0;
                    int end = payload.length;
                    if ((flags & PADDED) != 0) {
                        end -= payload[0] & 0xff;
                        offset = 1;
                    }
                    stream.body.write(payload, offset, end - offset);
                    if ((flags & END_STREAM) != 0) {
                        stream.endStream = true;
                        return requestComplete(stream);
                    }
                    return true;
                }
                case GOAWAY:
                    return false;
                default: // PRIORITY, RST_STREAM, WINDOW_UPDATE, unknown: nothing to do
                    return true;
            }
        }

        private boolean headersComplete(Stream stream) throws IOException {
            List<Header> decoded;
            try {
                decoded = decoder.decodeHeaders(ByteBuffer.wrap(stream.block.toByteArray()));
            } catch (HPackException e) {
                throw new IllegalStateException("the client sent a header block HPACK cannot decode", e);
            }
            for (Header header : decoded) {
                switch (header.getName()) {
                    case ":method" -> stream.method = header.getValue();
                    case ":path" -> stream.path = header.getValue();
                    default -> {
                        if (!header.getName().startsWith(":")) {
                            stream.headers.add(new HeaderField(header.getName(), header.getValue()));
                        }
                    }
                }
            }
            stream.fault = take();
            return !stream.endStream || requestComplete(stream);
        }

        private boolean requestComplete(Stream stream) throws IOException {
            streams.remove(stream.id);
            synchronized (lock) {
                if (stream.fault.discardsRequest()) {
                    unreadCount++;
                } else {
                    requests.add(new RecordedRequest(requests.size() + 1, connectionId, stream.method, stream.path,
                            stream.headers, stream.body.toByteArray(), System.nanoTime(), null));
                }
            }
            return act(stream);
        }

        /** Plays the stream's fault; returns false when the connection is to end. */
        private boolean act(Stream stream) throws IOException {
            H2Fault fault = stream.fault;
            if (fault instanceof H2Fault.Respond respond) {
                List<Header> head = new ArrayList<>();
                for (HeaderField field : respond.headers()) {
                    head.add(new BasicHeader(field.name().toLowerCase(Locale.ROOT), field.value()));
                }
                byte[] body = respond.body();
                responseHead(stream.id, respond.status(), head, body.length, body.length == 0);
                if (body.length > 0) {
                    frame(DATA, END_STREAM, stream.id, body);
                }
                out.flush();
                return true;
            }
            if (fault instanceof H2Fault.ResetStream reset) {
                frame(RST_STREAM, 0, stream.id, int32(reset.errorCode()));
                out.flush();
                return true;
            }
            if (fault instanceof H2Fault.GoAway goAway) {
                int last = goAway.processed() ? lastStreamId : stream.id - 2;
                byte[] payload = new byte[8];
                System.arraycopy(int32(Math.max(0, last)), 0, payload, 0, 4);
                System.arraycopy(int32(goAway.errorCode()), 0, payload, 4, 4);
                frame(GOAWAY, 0, 0, payload);
                out.flush();
                if (goAway.close()) {
                    socket.shutdownOutput();
                    return false;
                }
                return true;
            }
            if (fault == H2Fault.ResetConnection.INSTANCE) {
                FaultServer.reset(socket);
                return false;
            }
            if (fault instanceof H2Fault.SlowDrip drip) {
                byte[] body = drip.body();
                responseHead(stream.id, 200, List.of(), body.length, false);
                out.flush();
                for (int i = 0; i < body.length; i++) {
                    if (!listener.pause(drip.interval())) {
                        return false;
                    }
                    frame(DATA, i == body.length - 1 ? END_STREAM : 0, stream.id, new byte[] {body[i]});
                    out.flush();
                }
                return true;
            }
            if (fault instanceof H2Fault.TruncatedBody truncated) {
                responseHead(stream.id, 200, List.of(), truncated.declaredLength(), false);
                byte[] partial = new byte[truncated.sentLength()];
                Arrays.fill(partial, (byte) 'x');
                frame(DATA, 0, stream.id, partial);
                out.flush();
                socket.shutdownOutput();
                return false;
            }
            throw new IllegalStateException("unknown fault " + fault);
        }

        private void responseHead(int streamId, int status, List<Header> headers, long contentLength, boolean end)
                throws IOException {
            List<Header> all = new ArrayList<>();
            all.add(new BasicHeader(":status", Integer.toString(status)));
            all.addAll(headers);
            all.add(new BasicHeader("content-length", Long.toString(contentLength)));
            ByteArrayBuffer block = new ByteArrayBuffer(128);
            encoder.encodeHeaders(block, all, false);
            frame(HEADERS, END_HEADERS | (end ? END_STREAM : 0), streamId, block.toByteArray());
        }

        private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
            out.write(payload.length >>> 16);
            out.write(payload.length >>> 8);
            out.write(payload.length);
            out.write(type);
            out.write(flags);
            out.write(int32(streamId));
            out.write(payload);
        }
    }

    private static byte[] int32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** A stream being read. */
    private static final class Stream {
        final int id;
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final List<HeaderField> headers = new ArrayList<>();
        String method;
        String path;
        boolean endStream;
        H2Fault fault;

        Stream(int id) {
            this.id = id;
        }
    }
}
