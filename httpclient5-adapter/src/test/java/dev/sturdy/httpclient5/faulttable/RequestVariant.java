package dev.sturdy.httpclient5.faulttable;

/**
 * How the request of a fault case is sent, beyond its method: whether its body can be sent twice, and
 * whether the request-level {@code retryNonIdempotent} override is set in its context.
 */
public enum RequestVariant {

    /** A repeatable body (for PUT and POST), no override. */
    PLAIN("", true, false),
    /** {@code SturdyContext.retryNonIdempotent(context, true)}. */
    OVERRIDE(" with retryNonIdempotent override", true, true),
    /** A body that can be read once (a stream), no override. */
    NON_REPEATABLE(" with a one-shot stream body", false, false),
    /** A body that can be read once, with the override: the body still decides. */
    NON_REPEATABLE_OVERRIDE(" with a one-shot stream body and retryNonIdempotent override", false, true);

    private final String label;
    private final boolean repeatableBody;
    private final boolean retryNonIdempotentOverride;

    RequestVariant(String label, boolean repeatableBody, boolean retryNonIdempotentOverride) {
        this.label = label;
        this.repeatableBody = repeatableBody;
        this.retryNonIdempotentOverride = retryNonIdempotentOverride;
    }

    public boolean repeatableBody() {
        return repeatableBody;
    }

    public boolean retryNonIdempotentOverride() {
        return retryNonIdempotentOverride;
    }

    /** Appended to the method in display names ("" for {@link #PLAIN}). */
    public String label() {
        return label;
    }
}
