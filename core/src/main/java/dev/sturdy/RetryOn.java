package dev.sturdy;

/**
 * A condition under which an attempt is retried, as in Envoy's {@code x-envoy-retry-on} and the Azure
 * Container Apps {@code httpRetryPolicy.matches.errors} list. An {@link HttpRetryPolicy} retries an
 * attempt when <em>any</em> of its conditions matches (and the idempotency rules allow it).
 *
 * <p>"No response" below means the attempt ended without a response: a connect failure, a reset or
 * disconnect, an HTTP/2 refused stream, or a per-try timeout.
 *
 * <p>{@link #toString()} returns the {@link #token()}, so sets of conditions print as they are
 * configured ({@code [5xx, connect-failure]}).
 *
 * <p>Thread-safety: an enum, immutable and thread-safe.
 */
public enum RetryOn {

    /** Any 5xx response, or no response at all. */
    FIVE_XX("5xx"),
    /** A 502, 503 or 504 response, or no response at all. */
    GATEWAY_ERROR("gateway-error"),
    /** The server did not respond: disconnect, reset, no response, or a per-try timeout. */
    RESET("reset"),
    /** The connection could not be made: refused, unreachable, connect timeout or TLS handshake timeout. */
    CONNECT_FAILURE("connect-failure"),
    /** A 409 response (as Envoy: only 409, not every 4xx). */
    RETRIABLE_4XX("retriable-4xx"),
    /** An HTTP/2 REFUSED_STREAM reset, or a GOAWAY that arrived before the stream was processed. */
    REFUSED_STREAM("refused-stream"),
    /** A response whose status is in {@link HttpRetryPolicy#statusCodes()}. */
    RETRIABLE_STATUS_CODES("retriable-status-codes"),
    /** A response with a header that matches one of {@link HttpRetryPolicy#headers()}, whatever its status. */
    RETRIABLE_HEADERS("retriable-headers");

    private static final RetryOn[] VALUES = values();
    private static final String TOKENS = tokenList();

    private final String token;

    RetryOn(String token) {
        this.token = token;
    }

    /**
     * Returns the configuration token of this condition, as Envoy and Azure spell it.
     *
     * @return the token, e.g. {@code "5xx"} or {@code "connect-failure"}
     */
    public String token() {
        return token;
    }

    /**
     * Returns the condition with the given token. Tokens are matched exactly (they are lower-case).
     *
     * @param token a token such as {@code "gateway-error"}
     * @return the condition
     * @throws IllegalArgumentException if no condition has that token, e.g.
     *     {@code retryOn: "bogus" (expected: one of 5xx, gateway-error, ...)}
     * @throws NullPointerException if {@code token} is null
     */
    public static RetryOn fromToken(String token) {
        Check.notNull(token, "retryOn");
        for (RetryOn value : VALUES) {
            if (value.token.equals(token)) {
                return value;
            }
        }
        throw Check.argument("retryOn", Check.quote(token), "one of " + TOKENS);
    }

    /**
     * Returns the {@link #token()}.
     *
     * @return the token
     */
    @Override
    public String toString() {
        return token;
    }

    private static String tokenList() {
        StringBuilder sb = new StringBuilder();
        for (RetryOn value : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(value.token);
        }
        return sb.toString();
    }
}
