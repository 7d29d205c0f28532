package dev.sturdy.internal.ejection;

/**
 * The errors of an attempt that count towards ejecting its endpoint (SPEC 4). A 4xx or other non-5xx
 * response is a success for ejection purposes; a local overflow (pool or queue full), a cancellation
 * or the overall deadline is never reported at all: it says nothing about the endpoint.
 */
public enum ErrorKind {
    /** A 502, 503 or 504 response: counts always. */
    GATEWAY_ERROR,
    /**
     * Any other 5xx response: counts unless {@code gatewayErrorsOnly}, in which case it resets the count
     * as a success does (Envoy's consecutive gateway failure detection does the same).
     */
    SERVER_ERROR,
    /** No response: connect failure, TLS failure, reset, refused stream, per-try timeout. Counts always. */
    LOCAL_ORIGIN;

    /**
     * Classifies a response status.
     *
     * @param status an HTTP status code
     * @return true if it is a 5xx
     */
    public static boolean isError(int status) {
        return status >= 500 && status <= 599;
    }

    /**
     * Returns the kind of a 5xx response.
     *
     * @param status a status in [500, 599]
     * @return {@link #GATEWAY_ERROR} for 502, 503 and 504, otherwise {@link #SERVER_ERROR}
     */
    public static ErrorKind ofStatus(int status) {
        return status == 502 || status == 503 || status == 504 ? GATEWAY_ERROR : SERVER_ERROR;
    }
}
