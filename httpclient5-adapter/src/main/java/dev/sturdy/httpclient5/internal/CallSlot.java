package dev.sturdy.httpclient5.internal;

/**
 * Per-thread hand-off between sturdy's pieces on the classic (blocking) request path, where a call
 * runs on its caller's thread from start to end: which call is running, whether the caller reads the
 * body inside the call, and the call handed over to the caller for that. One instance per thread,
 * reused: nothing is allocated per call, and the HttpContext is not touched for this.
 */
final class CallSlot {

    private static final ThreadLocal<CallSlot> SLOT = ThreadLocal.withInitial(CallSlot::new);

    /**
     * This thread's reusable call (of the client it used last): re-armed for each call instead of a new
     * call object per call; see {@link Call}.
     */
    Call spare;
    /** The call running on this thread (innermost, if calls nest inside a response handler). */
    Call current;
    /** Set by {@code SturdyHttpClient.execute(request, handler)}: the next call covers reading the body. */
    boolean coversBody;
    /** The call whose body the caller is reading; ended by the caller when the handler is done. */
    Call handedOver;
    /**
     * Set by {@code SturdyHttpClient} when the caller passed no context: HttpClient then makes a context
     * nobody can read afterwards, so recording the attempts in it (which allocates its attribute map)
     * is skipped.
     */
    boolean contextUnseen;

    static CallSlot get() {
        return SLOT.get();
    }
}
