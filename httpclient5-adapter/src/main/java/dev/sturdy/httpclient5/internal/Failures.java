package dev.sturdy.httpclient5.internal;

import dev.sturdy.PoolOverflowException;
import dev.sturdy.internal.retry.FailureClass;
import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import javax.crypto.BadPaddingException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * Sorts HttpClient's exceptions into sturdy's transport-neutral failure classes. Whether the request
 * had been handed to the transport ({@code dispatched}) decides between "never reached the server"
 * and "may have been processed": a reset while the TLS session is set up is a connect failure, the
 * same reset after the request was written is a reset.
 */
final class Failures {

    private Failures() {
    }

    static FailureClass classify(Throwable failure, boolean dispatched) {
        if (failure instanceof PoolOverflowException || failure instanceof ConnectionRequestTimeoutException) {
            return FailureClass.LOCAL_REJECTION; // our own pool saturation, never the endpoint's fault
        }
        if (failure instanceof ConnectTimeoutException || failure instanceof ConnectException
                || failure instanceof NoRouteToHostException || failure instanceof UnknownHostException) {
            return FailureClass.CONNECT_FAILURE;
        }
        if (failure instanceof SSLException) {
            // A certificate the client refuses (untrusted, expired, wrong host) is configuration: never
            // retried (SPEC 2.2). So is an alert with no transport cause (no common protocol or cipher).
            // A handshake the transport broke (reset, peer closed, read timeout, a record cut short,
            // which the JDK reports as a BadPaddingException) is transient.
            if (failure instanceof SSLPeerUnverifiedException || hasCause(failure, CertificateException.class)) {
                return FailureClass.TLS_FAILURE;
            }
            final boolean transport = hasCause(failure, SocketException.class) || hasCause(failure, EOFException.class)
                    || hasCause(failure, SocketTimeoutException.class) || hasCause(failure, BadPaddingException.class);
            if (!transport) {
                return FailureClass.TLS_FAILURE;
            }
            return dispatched ? FailureClass.RESET : FailureClass.CONNECT_FAILURE;
        }
        if (failure instanceof SocketTimeoutException) {
            return dispatched ? FailureClass.PER_TRY_TIMEOUT : FailureClass.CONNECT_FAILURE;
        }
        if (failure instanceof InterruptedIOException) {
            return FailureClass.CANCELLED; // RequestFailedException("Request aborted") and interrupts
        }
        if (failure instanceof NoHttpResponseException || failure instanceof ConnectionClosedException
                || failure instanceof SocketException || failure instanceof EOFException) {
            return dispatched ? FailureClass.RESET : FailureClass.CONNECT_FAILURE;
        }
        if (failure instanceof HttpException || failure instanceof org.apache.hc.client5.http.ClientProtocolException) {
            // a malformed status line or headers: the server did not produce a usable response (Envoy
            // treats an upstream protocol error as a reset)
            return dispatched ? FailureClass.RESET : FailureClass.OTHER;
        }
        return FailureClass.OTHER;
    }

    /**
     * HttpClient wraps what a connection lease throws ({@code RequestFailedException("Request execution
     * failed", cause)}); the caller should see sturdy's overflow itself.
     *
     * @return the overflow behind {@code failure}, or {@code failure} unchanged
     */
    static Exception unwrapOverflow(Exception failure) {
        final Throwable cause = failure.getCause();
        return cause instanceof PoolOverflowException ? (PoolOverflowException) cause : failure;
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** A short, secret-free description for events and logs: the class, and the exception's type. */
    static String describe(FailureClass failureClass, Throwable failure) {
        return failureClass.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + " (" + failure.getClass().getSimpleName() + ")";
    }
}
