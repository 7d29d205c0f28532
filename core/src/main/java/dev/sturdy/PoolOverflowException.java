package dev.sturdy;

import java.io.IOException;

/**
 * A request was refused at once because the client is saturated: its pending-request queue is full
 * ({@link ConnectionPoolPolicy#http1MaxPendingRequests()}) or it already has
 * {@link ConnectionPoolPolicy#http2MaxRequests()} requests in flight. Nothing was sent. This is the
 * client's own saturation, not the endpoint's fault: it is never retried against the same client and
 * never counts towards an endpoint's ejection.
 *
 * <p>Thrown at request rate when a client is overloaded, so it carries no stack trace.
 */
public class PoolOverflowException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Which limit refused the request. */
    public enum Limit {
        /** {@code http1MaxPendingRequests}: too many requests already wait for a connection. */
        PENDING_REQUESTS,
        /** {@code http2MaxRequests}: too many requests already in flight. */
        MAX_REQUESTS
    }

    private final Limit limit;

    /**
     * @param limit   which limit refused the request
     * @param message what was refused and why, naming the endpoint ({@code scheme://host:port}) and the limit
     */
    public PoolOverflowException(Limit limit, String message) {
        super(message, null);
        this.limit = limit;
    }

    /** @return which limit refused the request */
    public Limit limit() {
        return limit;
    }

    /** No stack trace: overflow is thrown at request rate and its message says everything. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
