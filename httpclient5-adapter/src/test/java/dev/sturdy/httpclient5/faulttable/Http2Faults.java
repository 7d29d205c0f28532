package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.testing.H2Fault;
import dev.sturdy.httpclient5.testing.H2FaultServer;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * How each {@link FaultScenario} is played over HTTP/2, in one place, so the table's rows (and the
 * {@link SpecOracle}'s expectations, which depend only on the scenario's {@link FaultPhase}) stay the
 * same for both protocols. Each fault keeps its meaning, "did a response come back, and may the
 * request have been processed", and gets the nearest HTTP/2 form:
 *
 * <table>
 *   <caption>HTTP/1.1 fault and its HTTP/2 form</caption>
 *   <tr><th>scenario</th><th>HTTP/2 ({@link H2FaultServer})</th></tr>
 *   <tr><td>status responses</td><td>HEADERS with {@code :status}, the scenario's headers (names in lower
 *       case: HTTP/2 forbids upper case, so the name-case row tests the client's lower-casing matcher on an
 *       already lower-case name), content-length, then one DATA frame with END_STREAM</td></tr>
 *   <tr><td>refused, connect timeout, TLS stall/reset/close</td><td>unchanged: they strike before any
 *       HTTP/2 frame, so the HTTP/1.1 fixtures serve (a TLS client negotiating h2 by ALPN)</td></tr>
 *   <tr><td>reset when the request arrives, unread</td><td>the request's frames are read to END_STREAM and
 *       dropped, then the TCP connection is reset (RST): like HTTP/1.1, the client wrote its request
 *       and saw the connection die, so it may have been processed</td></tr>
 *   <tr><td>reset after reading the request</td><td>RST_STREAM with INTERNAL_ERROR on that stream alone
 *       (not REFUSED_STREAM, which would promise the request was not processed); the connection stays
 *       up, so connections are not counted per attempt</td></tr>
 *   <tr><td>closed without a response</td><td>GOAWAY(NO_ERROR) whose last-stream-id is the stream's own
 *       (it may have been processed), then FIN</td></tr>
 *   <tr><td>slow drip</td><td>HEADERS 200 with content-length 100, then one 1-byte DATA frame every 20 ms</td></tr>
 *   <tr><td>truncated body</td><td>HEADERS 200 with content-length 100, one DATA frame of 10 bytes without
 *       END_STREAM, then FIN</td></tr>
 * </table>
 */
public final class Http2Faults {

    private Http2Faults() {
    }

    /** Starts the HTTP/2 form of {@code scenario} (connect-phase faults: the scenario's own fixture). */
    public static FaultEndpoint start(FaultScenario scenario, SharedFixtures shared) {
        if (scenario.phase() == FaultPhase.CONNECT) {
            return scenario.start(shared);
        }
        H2FaultServer server = H2FaultServer.start(H2Fault.respond(200, java.util.List.of(), "unscripted"));
        H2Fault fault = fault(scenario);
        for (int i = 0; i < FaultScenario.SCRIPTED_REPEATS; i++) {
            server.enqueue(fault);
        }
        return FaultEndpoint.of(server);
    }

    /** The HTTP/2 fault every stream of a non-connect scenario meets. */
    static H2Fault fault(FaultScenario scenario) {
        return switch (scenario) {
            case RESET_BEFORE_REQUEST -> H2Fault.resetConnection();
            case RESET_AFTER_REQUEST -> H2Fault.resetStream(H2FaultServer.INTERNAL_ERROR, false);
            case CLOSED_WITHOUT_RESPONSE -> H2Fault.goAway(H2FaultServer.NO_ERROR, true);
            case SLOW_DRIP -> H2Fault.slowDrip("x".repeat(100), Duration.ofMillis(20));
            case TRUNCATED_BODY -> H2Fault.truncatedBody(100, 10);
            default -> {
                if (scenario.phase() != FaultPhase.RESPONSE) {
                    throw new IllegalArgumentException("no HTTP/2 form for " + scenario.name());
                }
                yield H2Fault.respond(scenario.status(), scenario.headers(), "status " + scenario.status());
            }
        };
    }

    /**
     * Connections the server accepts per attempt over HTTP/2, where deterministic: as over HTTP/1.1,
     * except after a stream reset, which leaves the connection open for the next attempt.
     */
    public static OptionalInt connectionsPerAttempt(FaultScenario scenario) {
        return scenario == FaultScenario.RESET_AFTER_REQUEST ? OptionalInt.empty() : scenario.connectionsPerAttempt();
    }
}
