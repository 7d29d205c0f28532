package dev.sturdy.httpclient5.internal;

import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

/**
 * Installed last, just before {@code MAIN_TRANSPORT}: the connection (and its TLS session) is
 * established and the request is about to be written. A failure before this point provably never
 * reached the server; one after it may have been processed.
 */
final class DispatchMarker implements ExecChainHandler {

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        final Call call = CallSlot.get().current;
        if (call != null) {
            call.sent = true;
        }
        return chain.proceed(request, scope);
    }
}
