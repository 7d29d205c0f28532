package dev.sturdy.httpclient5.faulttable;

/**
 * Where a fault strikes, in the terms SPEC 2.2 and 2.5 judge it by: whether a response came back,
 * and whether the request may have reached the server.
 */
public enum FaultPhase {

    /** A complete response head came back (any status): the request reached the server. */
    RESPONSE,

    /**
     * No connection or no TLS session was established (refused, connect timeout, TLS handshake stall
     * or reset): the request provably never left the client. {@code connect-failure}.
     */
    CONNECT,

    /**
     * The connection was up and the request was written, then no response came (reset, closed):
     * the request may have been processed. {@code reset}.
     */
    EXCHANGE,

    /**
     * The response head was handed to the caller, then reading its body failed (slow drip past the
     * deadline, truncated body). Never retried: the caller already has the response.
     */
    BODY
}
