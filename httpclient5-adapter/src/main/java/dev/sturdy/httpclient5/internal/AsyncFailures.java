package dev.sturdy.httpclient5.internal;

import dev.sturdy.internal.retry.FailureClass;
import java.lang.reflect.Method;
import org.apache.hc.core5.http.HttpStreamResetException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * Sorts the async client's exceptions into failure classes: what only the async transport throws is
 * decided here, everything else by {@link Failures#classify(Throwable, boolean)}.
 * <ul>
 *   <li>HTTP/2 {@code REFUSED_STREAM} ({@code H2StreamResetException} code 7) and a GOAWAY that came
 *       before the stream was processed ({@link RequestNotExecutedException}): the server provably did
 *       not process the request, {@link FailureClass#REFUSED_STREAM}, retriable for any method. A stream
 *       reset with any other code is a {@link FailureClass#RESET}.</li>
 *   <li>A plain {@code IOException} from the NIO transport ("Connection reset by peer", "Broken pipe"):
 *       a reset, or a connect failure before the request was dispatched.</li>
 *   <li>A failed protocol negotiation ({@code ProtocolNegotiationException}: the peer closed during the
 *       TLS handshake, seen through ALPN) before the request was dispatched: a connect failure.</li>
 *   <li>The async pool's lease timeout ({@link DeadlineTimeoutException}, not an {@code IOException}):
 *       our own saturation, {@link FailureClass#LOCAL_REJECTION}, never retried, never the endpoint's fault.</li>
 * </ul>
 */
final class AsyncFailures {

    /** HTTP/2 error code REFUSED_STREAM (RFC 9113 section 7). */
    static final int REFUSED_STREAM = 0x7;
    private static final String H2_RESET = "org.apache.hc.core5.http2.H2StreamResetException";
    private static final String NEGOTIATION_FAILED = "org.apache.hc.core5.http2.impl.nio.ProtocolNegotiationException";

    private AsyncFailures() {
    }

    static FailureClass classify(Throwable failure, boolean dispatched) {
        if (failure instanceof RequestNotExecutedException) {
            return FailureClass.REFUSED_STREAM;
        }
        if (failure instanceof HttpStreamResetException) {
            // REFUSED_STREAM: provably not processed. Any other code (INTERNAL_ERROR, CANCEL, a GOAWAY with
            // an error, which httpcore reports as a reset of every stream): the stream may have been
            // processed, as after a connection reset over HTTP/1.1
            return h2ErrorCode(failure) == REFUSED_STREAM ? FailureClass.REFUSED_STREAM
                    : dispatched ? FailureClass.RESET : FailureClass.CONNECT_FAILURE;
        }
        if (failure != null && failure.getClass().getName().equals(NEGOTIATION_FAILED)) {
            // the peer closed or garbled the connection while TLS/ALPN was set up: the request never left
            return dispatched ? FailureClass.RESET : FailureClass.CONNECT_FAILURE;
        }
        if (failure instanceof DeadlineTimeoutException) {
            return FailureClass.LOCAL_REJECTION;
        }
        if (failure != null && failure.getClass() == java.io.IOException.class) {
            // the NIO transport reports a reset or a broken pipe met while writing or reading as a plain
            // IOException ("Connection reset by peer", "Broken pipe"): a transport failure like the
            // SocketException the classic client sees
            return dispatched ? FailureClass.RESET : FailureClass.CONNECT_FAILURE;
        }
        return Failures.classify(failure, dispatched);
    }

    /**
     * The error code of an {@code H2StreamResetException}, read reflectively: httpcore5-h2 is not a
     * module this module reads (module-info requires only httpcore5 and httpclient5), and a stream
     * reset is rare enough for a reflective call.
     *
     * @return the code, or -1 for another exception
     */
    static int h2ErrorCode(Throwable failure) {
        if (!failure.getClass().getName().equals(H2_RESET)) {
            return -1;
        }
        try {
            final Method getCode = failure.getClass().getMethod("getCode");
            return (Integer) getCode.invoke(failure);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}
