package dev.sturdy.event;

/**
 * The counters every sturdy client keeps, per client and per endpoint, named as Envoy names its
 * cluster statistics.
 */
public enum ResilienceCounter {
    /** Attempts sent upstream (a call with two retries counts three). */
    RQ_TOTAL("rq_total"),
    /** Retries started (HTTP retries; TCP connect retries are not counted here). */
    RQ_RETRY("rq_retry"),
    /** Retries whose attempt ended in an outcome the policy does not retry (typically a success). */
    RQ_RETRY_SUCCESS("rq_retry_success"),
    /** Retries refused by the retry budget. */
    RQ_RETRY_OVERFLOW("rq_retry_overflow"),
    /** Calls that still failed after using every retry {@code maxRetries} allows. */
    RQ_RETRY_LIMIT_EXCEEDED("rq_retry_limit_exceeded"),
    /** Requests refused because the pending-request queue was full. */
    RQ_PENDING_OVERFLOW("rq_pending_overflow"),
    /** Timeouts that fired: per-try timeouts and overall deadlines. */
    RQ_TIMEOUT("rq_timeout"),
    /** Connection attempts (TCP connect or TLS handshake) that failed. */
    CX_CONNECT_FAIL("cx_connect_fail"),
    /** Requests refused because a connection or concurrency limit was reached. */
    CX_OVERFLOW("cx_overflow"),
    /** Endpoints ejected so far. */
    EJECTIONS_TOTAL("ejections_total"),
    /** Endpoints ejected right now (a gauge, not a running count). */
    EJECTIONS_ACTIVE("ejections_active");

    private final String statName;

    ResilienceCounter(String statName) {
        this.statName = statName;
    }

    /** @return the Envoy-style name, e.g. {@code rq_retry_overflow} */
    public String statName() {
        return statName;
    }
}
