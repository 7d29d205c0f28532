package dev.sturdy;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One attempt took longer than {@link TimeoutPolicy#perTryTimeout()} and was cancelled. Retriable
 * like a reset (retry conditions {@code 5xx}, {@code gateway-error} and {@code reset}); when it is the
 * last attempt's outcome, the caller receives it.
 */
public class PerTryTimeoutException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    /**
     * @param endpoint {@code scheme://host:port} of the attempt (never a path or query)
     * @param method   the request method
     * @param timeout  the per-try timeout
     * @param attempt  the 1-based number of the attempt that timed out
     */
    public PerTryTimeoutException(String endpoint, String method, Duration timeout, int attempt) {
        super(method + " " + endpoint + " attempt " + attempt + " exceeded perTryTimeout " + timeout);
        this.timeout = timeout;
    }

    /** @return the per-try timeout that passed */
    public Duration timeout() {
        return timeout;
    }
}
