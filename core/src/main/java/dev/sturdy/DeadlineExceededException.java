package dev.sturdy;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The overall deadline of a call ({@link TimeoutPolicy#responseTimeout()}) passed: every attempt,
 * every backoff wait and (inside {@code execute(request, handler)}) the reading of the body together
 * took too long. Never retried. Earlier attempts' failures are attached as suppressed exceptions.
 *
 * <p>It is a {@link SocketTimeoutException}, so code that already handles HttpClient's read timeouts
 * handles it too.
 */
public class DeadlineExceededException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final int attempts;

    /**
     * @param endpoint {@code scheme://host:port} of the call (never a path or query)
     * @param method   the request method
     * @param timeout  the deadline that passed
     * @param attempts attempts started before it passed
     */
    public DeadlineExceededException(String endpoint, String method, Duration timeout, int attempts) {
        super(method + " " + endpoint + " exceeded responseTimeout " + timeout + " after "
                + attempts + (attempts == 1 ? " attempt" : " attempts"));
        this.timeout = timeout;
        this.attempts = attempts;
    }

    /** @return the overall deadline that passed */
    public Duration timeout() {
        return timeout;
    }

    /** @return attempts started before the deadline passed */
    public int attempts() {
        return attempts;
    }
}
