package dev.sturdy.httpclient5.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One request as a {@link FaultServer} read it, with the behaviour it was given.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows method, target, sequence and connection,
 * never header values or the body.
 */
public final class RecordedRequest {

    private final long sequence;
    private final int connectionId;
    private final String method;
    private final String target;
    private final List<HeaderField> headers;
    private final byte[] body;
    private final long receivedNanos;
    private final Fault fault;

    RecordedRequest(long sequence, int connectionId, String method, String target, List<HeaderField> headers,
            byte[] body, long receivedNanos, Fault fault) {
        this.sequence = sequence;
        this.connectionId = connectionId;
        this.method = method;
        this.target = target;
        this.headers = List.copyOf(headers);
        this.body = body;
        this.receivedNanos = receivedNanos;
        this.fault = fault;
    }

    /** The 1-based arrival order of this request on its server (1 for the first request). */
    public long sequence() {
        return sequence;
    }

    /** The 1-based id of the connection this request came on; equal ids mean a reused connection. */
    public int connectionId() {
        return connectionId;
    }

    /** The request method, as sent (e.g. {@code "GET"}). */
    public String method() {
        return method;
    }

    /** The request target as sent, with any query (e.g. {@code "/orders?id=1"}). */
    public String target() {
        return target;
    }

    /** The path part of the target, without the query (e.g. {@code "/orders"}). */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** All header lines in arrival order. */
    public List<HeaderField> headers() {
        return headers;
    }

    /** The first value of header {@code name} (case-insensitive), if present. */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.hasName(name)).map(HeaderField::value).findFirst();
    }

    /** Every value of header {@code name} (case-insensitive) in arrival order; empty when absent. */
    public List<String> headerValues(String name) {
        return headers.stream().filter(h -> h.hasName(name)).map(HeaderField::value).collect(Collectors.toList());
    }

    /** A copy of the body bytes (de-chunked when the request was chunked); empty when there was none. */
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** {@link System#nanoTime()} when the request (head and body) had been completely read. */
    public long receivedNanos() {
        return receivedNanos;
    }

    /** The behaviour the server applied to this request (a scripted one or the default). */
    public Fault fault() {
        return fault;
    }

    @Override
    public String toString() {
        return "#" + sequence + " " + method + " " + path() + " (connection " + connectionId + ", " + fault + ")";
    }
}
