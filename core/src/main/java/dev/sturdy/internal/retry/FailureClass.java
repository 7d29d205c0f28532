package dev.sturdy.internal.retry;

/**
 * How an attempt ended, in transport-neutral terms. The adapter maps each exception (or a response) to
 * one class; {@link RetryDecider} decides from the class alone.
 */
public enum FailureClass {

    /** The attempt produced a response; its status is set. */
    NONE,
    /** The connection could not be made: refused, unreachable, connect timeout, TLS handshake timeout. Never dispatched. */
    CONNECT_FAILURE,
    /** Disconnect, reset, closed without a response, or a truncated response. */
    RESET,
    /** Our per-try timeout (or a socket read timeout) fired; retriable like {@link #RESET}. */
    PER_TRY_TIMEOUT,
    /** HTTP/2 REFUSED_STREAM, or GOAWAY before the stream was processed. Never processed. */
    REFUSED_STREAM,
    /** A TLS failure that is not a timeout (such as a bad certificate): configuration, never retried. */
    TLS_FAILURE,
    /** The caller cancelled or interrupted the call: never retried. */
    CANCELLED,
    /** The overall deadline expired: never retried. */
    DEADLINE_EXCEEDED,
    /** A local overflow rejection (pending queue full, budget exhausted, every endpoint ejected): never retried. */
    LOCAL_REJECTION,
    /** Any other I/O failure: not retried. */
    OTHER;

    /**
     * Tells whether this class proves the request never reached the server, whatever the dispatch marker says.
     *
     * @return true for {@link #CONNECT_FAILURE} and {@link #REFUSED_STREAM}
     */
    public boolean neverDispatched() {
        return this == CONNECT_FAILURE || this == REFUSED_STREAM;
    }
}
