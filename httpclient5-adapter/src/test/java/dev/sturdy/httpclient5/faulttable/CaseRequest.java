package dev.sturdy.httpclient5.faulttable;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The request of a fault case, transport-neutral: each runner builds it its own way.
 *
 * @param method                     the method
 * @param uri                        the target
 * @param body                       the body bytes, empty for GET
 * @param repeatableBody             false: send the body as a stream that can be read once
 * @param retryNonIdempotentOverride set the request-level {@code retryNonIdempotent} override
 */
public record CaseRequest(String method, URI uri, byte[] body, boolean repeatableBody,
                          boolean retryNonIdempotentOverride) {

    /** The body PUT and POST carry. */
    public static final byte[] BODY = "{\"order\":42,\"qty\":3}".getBytes(StandardCharsets.UTF_8);

    /** Whether a body is sent. */
    public boolean hasBody() {
        return body.length > 0;
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }
}
