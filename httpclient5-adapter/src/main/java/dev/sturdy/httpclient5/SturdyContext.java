package dev.sturdy.httpclient5;

import dev.sturdy.httpclient5.internal.CallHandler;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Per-call settings and results carried in an HttpClient {@link HttpContext}.
 *
 * <pre>{@code
 * HttpClientContext context = HttpClientContext.create();
 * client.execute(request, context, response -> ...);
 * int attempts = SturdyContext.attempts(context);   // 1 when the first attempt succeeded
 * }</pre>
 *
 * <p>Thread-safety: an {@code HttpContext} belongs to one call at a time.
 */
public final class SturdyContext {

    private SturdyContext() {
    }

    /**
     * The number of HTTP attempts the last call made with this context (TCP connect retries inside
     * one attempt are not counted).
     *
     * @param context the context passed to {@code execute}
     * @return the attempts, or 0 when no sturdy call has run with this context
     */
    public static int attempts(HttpContext context) {
        final Object value = context.getAttribute(CallHandler.ATTEMPTS_ATTRIBUTE);
        return value instanceof Integer ? (Integer) value : 0;
    }

    /**
     * Allows (or stops allowing) retries of a non-idempotent request (e.g. POST) that may already
     * have reached the server, for calls made with this context: use it when the request carries an
     * idempotency key the server honours. A request whose body cannot be sent twice is still sent once.
     *
     * @param context the context to pass to {@code execute}
     * @param allow   true to allow such retries
     * @return the same context
     */
    public static HttpContext retryNonIdempotent(HttpContext context, boolean allow) {
        if (allow) {
            context.setAttribute(CallHandler.RETRY_NON_IDEMPOTENT_ATTRIBUTE, Boolean.TRUE);
        } else {
            context.removeAttribute(CallHandler.RETRY_NON_IDEMPOTENT_ATTRIBUTE);
        }
        return context;
    }
}
