package dev.sturdy;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * A call failed fast because its endpoint is ejected (outlier ejection, SPEC 4), or every member of its
 * {@link EndpointGroup} is: nothing was sent, and the call is not retried. The message names each
 * ejected endpoint ({@code scheme://host:port}, never a path or query), when it will be tried again and
 * why it was ejected, e.g.
 * {@code http://127.0.0.1:8081 is ejected until 2026-11-23T12:00:30Z (5 consecutive errors)}.
 *
 * <p>Thrown at request rate during an outage, so it carries no stack trace.
 *
 * <p>Thread-safety: immutable once constructed.
 */
public class EndpointEjectedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final List<String> ejected;
    private final Instant retryAt;

    /**
     * @param endpoint the call's target: the endpoint, or the group's service ({@code scheme://host:port})
     * @param ejected  the ejected endpoints ({@code scheme://host:port}); one for a lone endpoint
     * @param retryAt  the soonest time one of them will be tried again (rounded up to the second)
     * @param message  the full message, naming the endpoints, when they will be tried again and why
     */
    public EndpointEjectedException(String endpoint, List<String> ejected, Instant retryAt, String message) {
        super(message, null);
        this.endpoint = endpoint;
        this.ejected = List.copyOf(ejected);
        this.retryAt = retryAt;
    }

    /** @return the call's target: the endpoint, or the group's service, as {@code scheme://host:port} */
    public String endpoint() {
        return endpoint;
    }

    /** @return the ejected endpoints as {@code scheme://host:port}, unmodifiable */
    public List<String> ejectedEndpoints() {
        return ejected;
    }

    /**
     * Returns the soonest time one of the ejected endpoints will be tried again. For an endpoint ejected
     * by a failed health check this is when its next probe is due; it returns only if that probe passes.
     *
     * @return a wall-clock instant, rounded up to the second
     */
    public Instant retryAt() {
        return retryAt;
    }

    /** No stack trace: this is thrown at request rate while endpoints are ejected, and its message says everything. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
