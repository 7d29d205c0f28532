package dev.sturdy.httpclient5.internal;

import dev.sturdy.internal.retry.AttemptView;
import dev.sturdy.internal.retry.FailureClass;
import dev.sturdy.internal.runtime.DeadlineWatchdog;
import java.util.List;
import org.apache.hc.core5.http.HttpResponse;

/**
 * What the transport-neutral retry decision sees of a call's current attempt: the method sent, the
 * response or failure class, whether the request was dispatched, whether its body can be sent again.
 * A call is also a deadline-watchdog entry, hence the superclass. Shared by the classic {@link Call}
 * and the {@link AsyncCall}.
 */
abstract class AttemptOutcome extends DeadlineWatchdog.Entry implements AttemptView {

    /** The method of the attempt (of the current redirect hop for the classic client). */
    volatile String method;
    /** Set by the dispatch marker, possibly on another thread than the one that judges the outcome. */
    volatile boolean dispatched;
    /** Whether the request body can be sent again (no body counts as repeatable). */
    boolean bodyRepeatable = true;
    /** A request-level override of {@code retryNonIdempotent}. */
    boolean retryNonIdempotentOverride;
    private HttpResponse response;
    private FailureClass failureClass = FailureClass.NONE;

    AttemptOutcome(String method) {
        this.method = method;
    }

    void respond(HttpResponse response) {
        this.response = response;
        this.failureClass = FailureClass.NONE;
    }

    void fail(FailureClass failureClass) {
        this.response = null;
        this.failureClass = failureClass;
    }

    void clearResponse() {
        this.response = null;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public int status() {
        final HttpResponse r = response;
        return r == null ? -1 : r.getCode();
    }

    @Override
    public FailureClass failure() {
        return failureClass;
    }

    @Override
    public boolean dispatched() {
        return dispatched;
    }

    @Override
    public boolean bodyRepeatable() {
        return bodyRepeatable;
    }

    @Override
    public boolean retryNonIdempotentOverride() {
        return retryNonIdempotentOverride;
    }

    @Override
    public List<String> headerValues(String lowerCaseName) {
        return ResponseHeaderValues.of(response, lowerCaseName);
    }
}
