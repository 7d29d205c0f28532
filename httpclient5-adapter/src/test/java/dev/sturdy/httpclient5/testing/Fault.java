package dev.sturdy.httpclient5.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link FaultServer} does with one request: answer it, or fail in a precise way.
 *
 * <p>Immutable values built with the static factories:
 * <pre>{@code
 * Fault.respond(503).header("Retry-After", "1")
 * Fault.respond(200).header("x-ms-retriable", "true").body("busy")
 * Fault.ok("hello").delayedBy(Duration.ofMillis(300))
 * Fault.resetOnAccept()           // accept, then RST at once
 * Fault.resetBeforeRequest()      // RST when the request's first bytes arrive, without reading it
 * Fault.resetAfterRequest()       // read the request, then RST
 * Fault.closeWithoutResponse()    // read the request, then FIN
 * Fault.slowDrip("abcdef", Duration.ofMillis(50))
 * Fault.truncatedBody(100, 10)
 * Fault.silent()
 * }</pre>
 * The exception each one produces in HttpClient 5.6.5 classic is listed on its factory method.
 */
public sealed interface Fault
        permits Fault.Respond, Fault.ResetOnAccept, Fault.ResetBeforeRequest, Fault.ResetAfterRequest, Fault.CloseWithoutResponse,
                Fault.SlowDrip, Fault.TruncatedBody, Fault.Silent {

    /**
     * Answers with {@code status}, no headers of its own and an empty body ({@code Content-Length: 0}).
     * Add headers, a body or a delay with the {@link Respond} methods.
     */
    static Respond respond(int status) {
        return new Respond(status, List.of(), new byte[0], Duration.ZERO, false);
    }

    /** Answers {@code 200 OK} with an empty body. */
    static Respond ok() {
        return respond(200);
    }

    /** Answers {@code 200 OK} with {@code body} (UTF-8, {@code Content-Type: text/plain}). */
    static Respond ok(String body) {
        return respond(200).header("Content-Type", "text/plain; charset=UTF-8").body(body);
    }

    /**
     * Resets the next accepted connection at once ({@code accept()}, then close with
     * {@code SO_LINGER 0}), before the client may even have finished connecting. Taken from the script
     * when a connection is accepted and finds it at the head; a request arriving on a kept-alive
     * connection that finds it at the head is treated as {@link #resetBeforeRequest()}. Nothing is
     * recorded (see {@link FaultServer#resetBeforeRequestCount()}).
     *
     * <p>The client's failure point is a race. HttpClient 5.6.5 classic, 300 runs on loopback: a raw
     * {@code SocketException: Connection reset by peer} thrown by {@code connect} (86 %, from the
     * CONNECT step, unwrapped), by the request write (11 %), or {@code SocketException: Connection
     * reset} from the response read (3 %). Use {@link #resetBeforeRequest()} for a deterministic reset.
     */
    static Fault resetOnAccept() {
        return ResetOnAccept.INSTANCE;
    }

    /**
     * Resets the connection (RST) as soon as the request's first bytes arrive, without reading the
     * request, on new and kept-alive connections alike. Nothing is recorded (see
     * {@link FaultServer#resetBeforeRequestCount()}). The client has connected and written its request,
     * so HttpClient classic deterministically sees {@code SocketException: Connection reset} from the
     * response read (a request larger than the socket buffers may fail in its write instead).
     */
    static Fault resetBeforeRequest() {
        return ResetBeforeRequest.INSTANCE;
    }

    /**
     * Reads the whole request, records it, then resets the connection (RST, {@code SO_LINGER 0})
     * without answering. HttpClient classic sees {@code SocketException: Connection reset}.
     */
    static Fault resetAfterRequest() {
        return ResetAfterRequest.INSTANCE;
    }

    /**
     * Reads the whole request, records it, then closes the connection cleanly (FIN) without
     * answering. HttpClient classic sees {@code NoHttpResponseException}.
     */
    static Fault closeWithoutResponse() {
        return CloseWithoutResponse.INSTANCE;
    }

    /**
     * Answers {@code 200} with a correct {@code Content-Length} at once, then sends the body one byte
     * every {@code interval} (the first after one interval). A response timeout longer than
     * {@code interval} never trips, whatever the total time.
     */
    static SlowDrip slowDrip(String body, Duration interval) {
        return new SlowDrip(body.getBytes(StandardCharsets.UTF_8), interval);
    }

    /**
     * Answers {@code 200} with {@code Content-Length: declaredLength}, sends only {@code sentLength}
     * body bytes, then closes cleanly. Reading the body in HttpClient classic throws
     * {@code ConnectionClosedException: Premature end of Content-Length delimited message body}.
     */
    static TruncatedBody truncatedBody(int declaredLength, int sentLength) {
        return new TruncatedBody(declaredLength, sentLength);
    }

    /**
     * Reads the whole request, records it, and never answers: the socket stays open until the client
     * closes it or the server is closed (then FIN). HttpClient classic with a response timeout sees
     * {@code SocketTimeoutException: Read timed out}.
     */
    static Fault silent() {
        return Silent.INSTANCE;
    }

    /**
     * A complete response: status, headers, body, an optional delay before it is sent, and whether
     * the connection is closed after it.
     *
     * @param status          the status code, 100-999
     * @param headers         extra headers; {@code Content-Length} is added unless present
     * @param body            the body bytes (not sent for HEAD requests, 1xx, 204 and 304)
     * @param delay           waited after the request is read and before anything is sent
     * @param closeConnection whether {@code Connection: close} is sent and the connection closed after
     */
    record Respond(int status, List<HeaderField> headers, byte[] body, Duration delay, boolean closeConnection)
            implements Fault {

        /** Validates and copies. */
        public Respond {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("status: " + status + " (expected: 100-999)");
            }
            headers = List.copyOf(headers);
            body = body.clone();
            requireNonNegative("delay", delay);
        }

        /** Returns a copy with one more header. */
        public Respond header(String name, String value) {
            List<HeaderField> more = new ArrayList<>(headers);
            more.add(new HeaderField(name, value));
            return new Respond(status, more, body, delay, closeConnection);
        }

        /** Returns a copy with {@code text} (UTF-8) as its body. */
        public Respond body(String text) {
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Returns a copy with {@code bytes} as its body. */
        public Respond body(byte[] bytes) {
            return new Respond(status, headers, bytes, delay, closeConnection);
        }

        /** Returns a copy that waits {@code wait} after reading the request before sending anything. */
        public Respond delayedBy(Duration wait) {
            return new Respond(status, headers, body, wait, closeConnection);
        }

        /** Returns a copy that sends {@code Connection: close} and closes the connection after the response. */
        public Respond closingConnection() {
            return new Respond(status, headers, body, delay, true);
        }

        /** Returns a copy of the body. */
        @Override
        public byte[] body() {
            return body.clone();
        }

        byte[] bodyNoCopy() {
            return body;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Respond that && status == that.status && headers.equals(that.headers)
                    && Arrays.equals(body, that.body) && delay.equals(that.delay)
                    && closeConnection == that.closeConnection;
        }

        @Override
        public int hashCode() {
            return Objects.hash(status, headers, Arrays.hashCode(body), delay, closeConnection);
        }

        @Override
        public String toString() {
            return "respond(" + status + (headers.isEmpty() ? "" : ", " + headers)
                    + (body.length == 0 ? "" : ", " + body.length + " body bytes")
                    + (delay.isZero() ? "" : ", delayed by " + delay.toMillis() + " ms")
                    + (closeConnection ? ", closing connection" : "") + ")";
        }
    }

    /** See {@link Fault#resetOnAccept()}. */
    enum ResetOnAccept implements Fault {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "resetOnAccept";
        }
    }

    /** See {@link Fault#resetBeforeRequest()}. */
    enum ResetBeforeRequest implements Fault {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "resetBeforeRequest";
        }
    }

    /** See {@link Fault#resetAfterRequest()}. */
    enum ResetAfterRequest implements Fault {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "resetAfterRequest";
        }
    }

    /** See {@link Fault#closeWithoutResponse()}. */
    enum CloseWithoutResponse implements Fault {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "closeWithoutResponse";
        }
    }

    /** See {@link Fault#silent()}. */
    enum Silent implements Fault {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "silent";
        }
    }

    /**
     * See {@link Fault#slowDrip(String, Duration)}.
     *
     * @param body     the body bytes, sent one at a time
     * @param interval the wait before each byte, positive
     */
    record SlowDrip(byte[] body, Duration interval) implements Fault {

        /** Validates and copies. */
        public SlowDrip {
            body = body.clone();
            requireNonNegative("interval", interval);
            if (interval.isZero()) {
                throw new IllegalArgumentException("interval: PT0S (expected: > 0)");
            }
        }

        /** Returns a copy of the body. */
        @Override
        public byte[] body() {
            return body.clone();
        }

        /** The least time the whole body takes to arrive: {@code body length * interval}. */
        public Duration minimumDuration() {
            return interval.multipliedBy(body.length);
        }

        byte[] bodyNoCopy() {
            return body;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SlowDrip that && Arrays.equals(body, that.body) && interval.equals(that.interval);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(body) + interval.hashCode();
        }

        @Override
        public String toString() {
            return "slowDrip(" + body.length + " bytes, one every " + interval.toMillis() + " ms)";
        }
    }

    /**
     * See {@link Fault#truncatedBody(int, int)}.
     *
     * @param declaredLength the {@code Content-Length} sent
     * @param sentLength     the body bytes actually sent, {@code 0 <= sentLength < declaredLength}
     */
    record TruncatedBody(int declaredLength, int sentLength) implements Fault {

        /** Validates. */
        public TruncatedBody {
            if (sentLength < 0 || sentLength >= declaredLength) {
                throw new IllegalArgumentException("sentLength: " + sentLength
                        + " (expected: >= 0 and < declaredLength " + declaredLength + ")");
            }
        }

        @Override
        public String toString() {
            return "truncatedBody(declared " + declaredLength + ", sent " + sentLength + ")";
        }
    }

    private static void requireNonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }
}
