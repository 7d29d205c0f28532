package dev.sturdy.event;

/** Where the wait before a retry came from. */
public enum DelaySource {
    /** The full-jitter exponential backoff of the retry policy. */
    BACKOFF,
    /** The server's {@code Retry-After} header. */
    RETRY_AFTER,
    /** No wait: connect retries are immediate. */
    IMMEDIATE
}
