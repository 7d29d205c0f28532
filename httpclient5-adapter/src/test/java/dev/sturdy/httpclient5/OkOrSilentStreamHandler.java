package dev.sturdy.httpclient5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncServerExchangeHandler;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.ResponseChannel;
import org.apache.hc.core5.http.nio.support.BasicResponseProducer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One stream on an httpcore5-h2 test server: the test's {@link Router} sees each request path and
 * either leaves the stream unanswered ("silent") or lets it get 200 "ok" (text/plain). The request
 * body is dropped.
 */
final class OkOrSilentStreamHandler implements AsyncServerExchangeHandler {

    /** Sees each request path before the stream is answered. */
    interface Router {
        /** Returns true to leave the stream unanswered; may throw to reset or fail the stream instead. */
        boolean silent(String path) throws HttpException, IOException;
    }

    private final Router router;
    private final Runnable silentStreamEnded;
    private volatile BasicResponseProducer producer;
    private volatile boolean silent;

    /**
     * @param silentStreamEnded run by {@link #failed} and by {@link #releaseResources} of a silent stream
     *                          (so twice when the stream fails)
     */
    OkOrSilentStreamHandler(Router router, Runnable silentStreamEnded) {
        this.router = router;
        this.silentStreamEnded = silentStreamEnded;
    }

    OkOrSilentStreamHandler(Router router) {
        this(router, () -> { });
    }

    @Override
    public void handleRequest(HttpRequest request, EntityDetails entityDetails, ResponseChannel responseChannel,
                              HttpContext context) throws HttpException, IOException {
        if (router.silent(request.getPath())) {
            silent = true;
            return;
        }
        producer = new BasicResponseProducer(200, "ok", ContentType.TEXT_PLAIN);
        producer.sendResponse(responseChannel, context);
    }

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
        capacityChannel.update(Integer.MAX_VALUE);
    }

    @Override
    public void consume(ByteBuffer src) {
        src.position(src.limit());
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
    }

    @Override
    public int available() {
        BasicResponseProducer p = producer;
        return p == null ? 0 : p.available();
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
        BasicResponseProducer p = producer;
        if (p != null) {
            p.produce(channel);
        }
    }

    @Override
    public void failed(Exception cause) {
        if (silent) {
            silentStreamEnded.run();
        }
    }

    @Override
    public void releaseResources() {
        if (silent) {
            silentStreamEnded.run();
        }
        BasicResponseProducer p = producer;
        if (p != null) {
            p.releaseResources();
        }
    }
}
