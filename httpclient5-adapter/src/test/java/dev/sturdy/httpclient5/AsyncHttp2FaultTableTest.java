package dev.sturdy.httpclient5;

import dev.sturdy.httpclient5.faulttable.ExpectedOutcome;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.faulttable.FaultTable;
import dev.sturdy.httpclient5.faulttable.FaultTableTestBase;
import dev.sturdy.httpclient5.faulttable.Http2Faults;
import java.net.SocketException;
import java.util.stream.Stream;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http2.H2StreamResetException;

/**
 * The fault table (see {@link FaultCase} and {@link FaultTable}) against the async client over HTTP/2:
 * the same rows and expectations as {@link AsyncFaultTableTest}, each fault played in its HTTP/2 form
 * ({@link Http2Faults}: a raw HTTP/2 loopback server for the exchange and body faults, the transport
 * fixtures for connect-phase faults, the client negotiating h2). Every response is checked to be HTTP/2.
 * What the client throws differs from HTTP/1.1 for the faults HTTP/2 plays differently
 * ({@link #http2Failure(FaultScenario)}); the {@link dev.sturdy.httpclient5.faulttable.SpecOracle}'s
 * attempts, server requests and retry decisions are the same.

 */
class AsyncHttp2FaultTableTest extends FaultTableTestBase {

    AsyncHttp2FaultTableTest() {
        super(AsyncHttp2FaultTableTest::allCases, new AsyncFaultTableTest.AsyncRunner(true));
    }

    static Stream<FaultCase> allCases() {
        return FaultTable.cases(AsyncHttp2FaultTableTest::http2Failure, Http2Faults::connectionsPerAttempt);
    }

    /**
     * What HttpClient 5.6.5 async over HTTP/2 throws, where it differs from over HTTP/1.1
     * ({@link AsyncFaultTableTest#asyncFailure(FaultScenario)}; connect-phase faults strike before any
     * HTTP/2 frame and throw the same), observed on loopback against {@link Http2Faults}' forms:
     * <ul>
     *   <li>the connection reset once the request arrived: {@code SocketException: Connection reset}, as
     *       the classic client over HTTP/1.1;</li>
     *   <li>RST_STREAM(INTERNAL_ERROR): httpcore5-h2's {@code H2StreamResetException "Stream reset (2)"};</li>
     *   <li>GOAWAY then FIN, and a body cut short by FIN: {@code ConnectionClosedException "Connection is
     *       closed"} (httpcore5-h2 fails the open stream when the connection ends, and checks no
     *       content-length against DATA).</li>
     * </ul>
     */
    static ExpectedOutcome.Failure http2Failure(FaultScenario scenario) {
        return switch (scenario) {
            case RESET_BEFORE_REQUEST -> new ExpectedOutcome.Failure(SocketException.class, "Connection reset", 0)
                    .orElse(java.io.IOException.class, "Connection reset by peer");
            case RESET_AFTER_REQUEST -> new ExpectedOutcome.Failure(H2StreamResetException.class, "Stream reset (2)", 0);
            case CLOSED_WITHOUT_RESPONSE, TRUNCATED_BODY ->
                    new ExpectedOutcome.Failure(ConnectionClosedException.class, "Connection is closed", 0);
            default -> AsyncFaultTableTest.asyncFailure(scenario);
        };
    }
}
