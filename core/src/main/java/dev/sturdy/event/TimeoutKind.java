package dev.sturdy.event;

/** Which of the policy's timeouts fired. */
public enum TimeoutKind {
    /** The deadline of one attempt ({@code perTryTimeout}); retriable. */
    PER_TRY,
    /** The overall deadline of the call ({@code responseTimeout}); never retried. */
    OVERALL
}
