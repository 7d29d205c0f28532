package dev.sturdy.httpclient5.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * What an {@link H2FaultServer} does with one HTTP/2 stream: the HTTP/2 counterparts of {@link Fault}.
 * A separate type because the faults differ in kind, not only in bytes: a stream can be reset alone,
 * and a GOAWAY tells the client which streams were left unprocessed.
 */
public sealed interface H2Fault permits H2Fault.Respond, H2Fault.ResetStream, H2Fault.GoAway,
        H2Fault.ResetConnection, H2Fault.SlowDrip, H2Fault.TruncatedBody {

    /**
     * Whether the server drops the request unprocessed: it still reads the stream's frames to END_STREAM
     * (so the client is never cut off mid-write, which would make its exception a race), but does not
     * record the request, and counts it {@linkplain H2FaultServer#unreadCount() unread}.
     */
    default boolean discardsRequest() {
        return false;
    }

    /** A complete response; header names are sent in lower case, as HTTP/2 requires. */
    static Respond respond(int status, List<HeaderField> headers, String body) {
        return new Respond(status, List.copyOf(headers), body.getBytes(StandardCharsets.UTF_8));
    }

    /** RST_STREAM with {@code errorCode}, for a request dropped unprocessed or after it was read. */
    static ResetStream resetStream(int errorCode, boolean beforeRequest) {
        return new ResetStream(errorCode, beforeRequest);
    }

    /**
     * GOAWAY with {@code errorCode}, then FIN. {@code processed}: the request is read first and the
     * last-stream-id is the stream's own (it may have been processed); otherwise the request is left
     * unprocessed and the last-stream-id is below the stream (it provably was not).
     */
    static GoAway goAway(int errorCode, boolean processed) {
        return new GoAway(errorCode, processed, true);
    }

    /** A TCP reset of the whole connection (SO_LINGER 0) once the request arrived, dropped unprocessed. */
    static H2Fault resetConnection() {
        return ResetConnection.INSTANCE;
    }

    /** 200 with the right content-length at once, then one DATA frame of one byte every {@code interval}. */
    static SlowDrip slowDrip(String body, Duration interval) {
        return new SlowDrip(body.getBytes(StandardCharsets.UTF_8), interval);
    }

    /** 200 declaring {@code declaredLength} bytes, {@code sentLength} sent in DATA without END_STREAM, then FIN. */
    static TruncatedBody truncatedBody(int declaredLength, int sentLength) {
        return new TruncatedBody(declaredLength, sentLength);
    }

    /** See {@link H2Fault#respond}. */
    record Respond(int status, List<HeaderField> headers, byte[] body) implements H2Fault {
        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** See {@link H2Fault#resetStream}. */
    record ResetStream(int errorCode, boolean beforeRequest) implements H2Fault {
        @Override
        public boolean discardsRequest() {
            return beforeRequest;
        }
    }

    /** See {@link H2Fault#goAway}. */
    record GoAway(int errorCode, boolean processed, boolean close) implements H2Fault {
        @Override
        public boolean discardsRequest() {
            return !processed;
        }
    }

    /** See {@link H2Fault#resetConnection()}. */
    enum ResetConnection implements H2Fault {
        /** The only value. */
        INSTANCE;

        @Override
        public boolean discardsRequest() {
            return true;
        }
    }

    /** See {@link H2Fault#slowDrip}. */
    record SlowDrip(byte[] body, Duration interval) implements H2Fault {
        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** See {@link H2Fault#truncatedBody}. */
    record TruncatedBody(int declaredLength, int sentLength) implements H2Fault {
    }
}
