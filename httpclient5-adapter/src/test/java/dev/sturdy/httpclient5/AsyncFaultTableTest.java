package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.faulttable.CaseRequest;
import dev.sturdy.httpclient5.faulttable.ExpectedOutcome;
import dev.sturdy.httpclient5.faulttable.FaultCaseRunner;
import dev.sturdy.httpclient5.faulttable.FaultEndpoint;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.faulttable.FaultTable;
import dev.sturdy.httpclient5.faulttable.FaultTableTestBase;
import dev.sturdy.httpclient5.faulttable.Http2Faults;
import dev.sturdy.httpclient5.faulttable.Observed;
import dev.sturdy.httpclient5.faulttable.SharedFixtures;
import dev.sturdy.httpclient5.faulttable.TestTls;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http2.HttpVersionPolicy;

/**
 * The fault table (see {@link FaultCase} and {@link FaultTable}) against the async client over
 * HTTP/1.1: the same cases, the same harness, the same checks as {@link ClassicFaultTableTest}; only
 * the runner and the exceptions HttpClient's async transport throws for some faults differ
 * ({@link #asyncFailure(FaultScenario)}, DESIGN.md's exceptions table).
 */
class AsyncFaultTableTest extends FaultTableTestBase {

    AsyncFaultTableTest() {
        super(() -> FaultTable.cases(AsyncFaultTableTest::asyncFailure), new AsyncRunner(false));
    }

    /**
     * What HttpClient 5.6.5 async throws where it differs from classic (observed on loopback, and as
     * DESIGN.md's exceptions table says): connect failures name the resolved address and print the
     * timeout as a {@code Timeout}; a stalled TLS handshake is a plain {@code SocketTimeoutException}; a
     * peer closing during the TLS handshake surfaces through ALPN negotiation; a connection closed before
     * the response, or mid-body, is a {@code ConnectionClosedException}, and nothing closes the response
     * a second time (no suppressed copy). A reset is a {@code SocketException "Connection reset"} when
     * the NIO transport meets it reading, but a plain {@code IOException "Connection reset by peer"} when
     * it meets it writing (the rest of a ClientHello, a request): which one depends on timing, so either
     * is accepted, attempt by attempt.
     */
    static ExpectedOutcome.Failure asyncFailure(FaultScenario scenario) {
        return switch (scenario) {
            case REFUSED -> new ExpectedOutcome.Failure(HttpHostConnectException.class,
                    "Connect to http://127.0.0.1:{port} [/127.0.0.1] failed: Connection refused", 0);
            case CONNECT_TIMEOUT -> new ExpectedOutcome.Failure(ConnectTimeoutException.class,
                    "Connect to http://127.0.0.1:{port} [/127.0.0.1] failed: 60 MILLISECONDS", 0);
            case TLS_HANDSHAKE_STALL -> new ExpectedOutcome.Failure(SocketTimeoutException.class, "60 MILLISECONDS", 0);
            case TLS_HANDSHAKE_CLOSED -> new ExpectedOutcome.Failure(PROTOCOL_NEGOTIATION_FAILED, "Unexpected input", 0);
            case CLOSED_WITHOUT_RESPONSE -> new ExpectedOutcome.Failure(ConnectionClosedException.class,
                    "Connection closed by peer", 0);
            case TRUNCATED_BODY -> new ExpectedOutcome.Failure(ConnectionClosedException.class,
                    "Premature end of Content-Length delimited message body (expected: 100; received: 10)", 0);
            case TLS_HANDSHAKE_RESET, RESET_BEFORE_REQUEST, RESET_AFTER_REQUEST ->
                    scenario.classicFailure().orElse(java.io.IOException.class, "Connection reset by peer");
            default -> scenario.classicFailure();
        };
    }

    /** httpcore5-h2's {@code ProtocolNegotiationException}, by name (the adapter's module does not read httpcore5-h2). */
    private static final Class<? extends Throwable> PROTOCOL_NEGOTIATION_FAILED = negotiationFailure();

    private static Class<? extends Throwable> negotiationFailure() {
        try {
            return Class.forName("org.apache.hc.core5.http2.impl.nio.ProtocolNegotiationException")
                    .asSubclass(Throwable.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The async client as a {@link FaultCaseRunner}, over HTTP/1.1 or HTTP/2: a started
     * {@link SturdyHttpAsyncClient} trusting the test certificate; the response consumer reads the body
     * inside the call, so slow and truncated bodies surface. Backoff waits are real but 1-2 ms (the table's settings).
     */
    static final class AsyncRunner implements FaultCaseRunner {

        private final boolean http2;

        /**
         * @param http2 true: force HTTP/2 (prior knowledge over http, ALPN h2 over https), play the faults
         *              over HTTP/2 ({@link Http2Faults}) and check that every response came over HTTP/2
         */
        AsyncRunner(boolean http2) {
            this.http2 = http2;
        }

        @Override
        public Client open(ResiliencePolicy policy) {
            SturdyHttpAsyncClient client = SturdyHttpAsyncClients.custom(policy)
                    .connectionManager(pool -> {
                        pool.setTlsStrategy(ClientTlsStrategyBuilder.create()
                                .setSslContext(TestTls.trustingClientContext()).buildAsync());
                        if (http2) {
                            pool.setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build());
                        }
                    })
                    .build();
            client.start();
            return new AsyncFaultCaseClient(request -> execute(client, request, http2), client::metrics, client::poolStats,
                    client::callsInFlight, client::retriesInFlight, client);
        }

        @Override
        public FaultEndpoint start(FaultScenario scenario, SharedFixtures shared) {
            return http2 ? Http2Faults.start(scenario, shared) : scenario.start(shared);
        }

        static AsyncRequestProducer producer(CaseRequest request) {
            BasicHttpRequest head = new BasicHttpRequest(request.method(), request.uri());
            AsyncEntityProducer body = null;
            if (request.hasBody()) {
                body = request.repeatableBody()
                        ? new BasicAsyncEntityProducer(request.body(), ContentType.APPLICATION_JSON)
                        : new BasicAsyncEntityProducer(request.body(), ContentType.APPLICATION_JSON) {
                            @Override
                            public boolean isRepeatable() {
                                return false; // as a streamed body would be
                            }
                        };
            }
            return new BasicRequestProducer(head, body);
        }

        /**
         * Sends the request; with {@code http2}, a response in another HTTP version is reported as an
         * {@code AssertionError} the harness shows (the table must not pass over HTTP/1.1 by accident).
         */
        static Observed execute(SturdyHttpAsyncClient client, CaseRequest request, boolean http2) {
            HttpClientContext context = HttpClientContext.create();
            if (request.retryNonIdempotentOverride()) {
                SturdyContext.retryNonIdempotent(context, true);
            }
            long start = System.nanoTime();
            try {
                SimpleHttpResponse response = client.execute(producer(request), SimpleResponseConsumer.create(),
                        context, null).get(30, TimeUnit.SECONDS);
                if (http2 && response.getVersion().getMajor() != 2) {
                    return new Observed(-1, null, new AssertionError("expected an HTTP/2 response, got "
                            + response.getVersion() + " " + response.getCode()), SturdyContext.attempts(context),
                            System.nanoTime() - start);
                }
                String body = response.getBody() == null ? "" : response.getBodyText();
                return new Observed(response.getCode(), body, null, SturdyContext.attempts(context),
                        System.nanoTime() - start);
            } catch (ExecutionException e) {
                return new Observed(-1, null, e.getCause(), SturdyContext.attempts(context), System.nanoTime() - start);
            } catch (Exception e) {
                return new Observed(-1, null, e, SturdyContext.attempts(context), System.nanoTime() - start);
            }
        }
    }
}
