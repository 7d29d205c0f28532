package dev.sturdy.httpclient5;

import dev.sturdy.httpclient5.faulttable.ExpectedOutcome;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.faulttable.FaultTable;
import dev.sturdy.httpclient5.faulttable.FaultTableHarness;
import dev.sturdy.httpclient5.faulttable.FaultTableTestBase;
import dev.sturdy.httpclient5.faulttable.Http2Faults;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http2.H2StreamResetException;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault table (see {@link FaultCase} and {@link FaultTable}) against the async client over HTTP/2:
 * the same rows and expectations as {@link AsyncFaultTableTest}, each fault played in its HTTP/2 form
 * ({@link Http2Faults}: a raw HTTP/2 loopback server for the exchange and body faults, the transport
 * fixtures for connect-phase faults, the client negotiating h2). Every response is checked to be HTTP/2.
 * What the client throws differs from HTTP/1.1 for the faults HTTP/2 plays differently
 * ({@link #http2Failure(FaultScenario)}); the {@link dev.sturdy.httpclient5.faulttable.SpecOracle}'s
 * attempts, server requests and retry decisions are the same.
 *
 * <p>Rows that show a known bug are left out of the table by {@link #KNOWN_BUGS} (printed when the rows
 * are built) and run by {@link #knownBugs(FaultCase)}, disabled until the bug is fixed.
 */
class AsyncHttp2FaultTableTest extends FaultTableTestBase {

    /**
     * Known bugs, by name, and the rows they break. Each row matched is excluded from the table and kept
     * in {@link #knownBugs(FaultCase)}.
     */
    static final Map<String, Predicate<FaultCase>> KNOWN_BUGS = knownBugs();

    private static Map<String, Predicate<FaultCase>> knownBugs() {
        Map<String, Predicate<FaultCase>> bugs = new LinkedHashMap<>();
        // AsyncFailures/Failures classify H2StreamResetException with a code other than REFUSED_STREAM as
        // OTHER (never retried), though SPEC 2.2 counts a reset as "no response at all" for 5xx,
        // gateway-error and reset.
        bugs.put("BUG h2-stream-reset-not-retried: RST_STREAM(INTERNAL_ERROR) is not retried under 5xx/gateway-error/reset",
                c -> c.scenario() == FaultScenario.RESET_AFTER_REQUEST && c.expectedAttempts() > 1);
        return bugs;
    }

    AsyncHttp2FaultTableTest() {
        super(AsyncHttp2FaultTableTest::includedCases, new AsyncFaultTableTest.AsyncRunner(true));
    }

    /** Every row but those {@link #KNOWN_BUGS} excludes; prints what it excludes, and why. */
    static Stream<FaultCase> includedCases() {
        List<FaultCase> all = allCases().collect(Collectors.toList());
        KNOWN_BUGS.forEach((bug, matches) -> {
            List<FaultCase> excluded = all.stream().filter(matches).collect(Collectors.toList());
            System.out.println("AsyncHttp2FaultTableTest excludes " + excluded.size() + " rows for " + bug + ":");
            excluded.forEach(c -> System.out.println("  excluded: " + c));
        });
        return all.stream().filter(c -> KNOWN_BUGS.values().stream().noneMatch(m -> m.test(c)));
    }

    static Stream<FaultCase> allCases() {
        return FaultTable.cases(AsyncHttp2FaultTableTest::http2Failure, Http2Faults::connectionsPerAttempt);
    }

    static Stream<FaultCase> excludedCases() {
        return allCases().filter(c -> KNOWN_BUGS.values().stream().anyMatch(m -> m.test(c)));
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
            case RESET_BEFORE_REQUEST -> new ExpectedOutcome.Failure(SocketException.class, "Connection reset", 0);
            case RESET_AFTER_REQUEST -> new ExpectedOutcome.Failure(H2StreamResetException.class, "Stream reset (2)", 0);
            case CLOSED_WITHOUT_RESPONSE, TRUNCATED_BODY ->
                    new ExpectedOutcome.Failure(ConnectionClosedException.class, "Connection is closed", 0);
            default -> AsyncFaultTableTest.asyncFailure(scenario);
        };
    }

    /** The rows {@link #KNOWN_BUGS} excludes, as they should pass once the bug is fixed. */
    @Disabled("BUG: HTTP/2 RST_STREAM other than REFUSED_STREAM is classified OTHER and never retried (see KNOWN_BUGS)")
    @ParameterizedTest(name = "{0}")
    @MethodSource("excludedCases")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void knownBugs(FaultCase faultCase) throws Exception {
        try (FaultTableHarness harness = new FaultTableHarness()) {
            harness.verify(faultCase, runner());
        }
    }
}
