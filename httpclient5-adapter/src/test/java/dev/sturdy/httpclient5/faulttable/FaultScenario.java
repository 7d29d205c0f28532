package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.DeadlineExceededException;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.HeaderField;
import dev.sturdy.httpclient5.testing.RefusingPort;
import dev.sturdy.httpclient5.testing.TlsStallServer;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * The faults of the table: what the server does to every attempt, where that strikes
 * ({@link FaultPhase}), and what HttpClient 5.6.5 classic surfaces for it ({@link #classicFailure()}).
 *
 * <p>Every attempt meets the same fault: a FaultServer gets the fault scripted more times than any
 * setting may attempt (an extra attempt would still meet it, and be counted).
 *
 * <p>The connect-phase timeout is reproduced twice: a real TCP connect timeout
 * ({@link dev.sturdy.httpclient5.testing.BacklogFullServer}, a full accept queue on loopback) and a
 * TLS handshake that stalls, both bounded by {@code connectTimeout} (60 ms here).
 */
public enum FaultScenario {

    STATUS_503("503", 503),
    STATUS_502("502", 502),
    STATUS_500("500", 500),
    STATUS_409("409", 409),
    STATUS_429("429", 429),
    STATUS_500_RETRIABLE_HEADER("500 with x-ms-retriable: true", 500, "x-ms-retriable", "true"),
    /** retriable-headers retries whatever the status, as Envoy does. */
    STATUS_200_RETRIABLE_HEADER("200 with x-ms-retriable: true", 200, "x-ms-retriable", "true"),
    /** Header names are case-insensitive. */
    STATUS_200_RETRIABLE_HEADER_NAME_CASE("200 with X-MS-Retriable: true", 200, "X-MS-Retriable", "true"),
    /** An exact matcher compares values case-sensitively (as Envoy): TRUE is not true. */
    STATUS_429_RETRIABLE_HEADER_VALUE_CASE("429 with x-ms-retriable: TRUE", 429, "x-ms-retriable", "TRUE"),
    /** A repeated header matches if any of its values does. */
    STATUS_200_RETRIABLE_HEADER_REPEATED("200 with x-ms-retriable: false and x-ms-retriable: true", 200,
            "x-ms-retriable", "false", "x-ms-retriable", "true"),

    REFUSED("connection refused", FaultPhase.CONNECT, Timeouts.DEFAULT, OptionalInt.of(0),
            HttpHostConnectException.class, "Connect to http://127.0.0.1:{port} failed: Connection refused",
            shared -> FaultEndpoint.of(RefusingPort.find())),
    CONNECT_TIMEOUT("connect timeout (full accept queue)", FaultPhase.CONNECT, Timeouts.CONNECT_PHASE, OptionalInt.of(0),
            ConnectTimeoutException.class, "Connect to http://127.0.0.1:{port} failed: Connect timed out",
            shared -> FaultEndpoint.sharing(shared.backlogFull())),
    TLS_HANDSHAKE_STALL("TLS handshake stall", FaultPhase.CONNECT, Timeouts.CONNECT_PHASE, OptionalInt.of(1),
            ConnectTimeoutException.class, "Connect to https://127.0.0.1:{port} failed: Read timed out",
            shared -> FaultEndpoint.of(TlsStallServer.start())),
    /** The server reads the ClientHello's first bytes, then RST: the request provably never left. */
    TLS_HANDSHAKE_RESET("reset during the TLS handshake", FaultPhase.CONNECT, Timeouts.DEFAULT, OptionalInt.of(1),
            SocketException.class, "Connection reset",
            shared -> FaultEndpoint.of(TlsTestServer.start(TlsTestServer.ALL, TlsTestServer.HandshakeFault.RESET))),
    /** The server reads the ClientHello's first bytes, then FIN: the request provably never left. */
    TLS_HANDSHAKE_CLOSED("closed during the TLS handshake", FaultPhase.CONNECT, Timeouts.DEFAULT, OptionalInt.of(1),
            SSLHandshakeException.class, "Remote host terminated the handshake",
            shared -> FaultEndpoint.of(TlsTestServer.start(TlsTestServer.ALL, TlsTestServer.HandshakeFault.CLOSE))),

    /**
     * Plain HTTP: the server resets the connection as soon as the request's first bytes arrive, without
     * reading it. The server never processed it, but the client cannot know that: it wrote the request
     * and then saw a reset, exactly as after {@link #RESET_AFTER_REQUEST}. So this is a "may have been
     * processed" failure and a POST is not retried.
     */
    RESET_BEFORE_REQUEST("reset when the request arrives, unread", FaultPhase.EXCHANGE, OptionalInt.of(1),
            SocketException.class, "Connection reset", Fault.resetBeforeRequest()),
    RESET_AFTER_REQUEST("reset after reading the request", FaultPhase.EXCHANGE, OptionalInt.of(1),
            SocketException.class, "Connection reset", Fault.resetAfterRequest()),
    CLOSED_WITHOUT_RESPONSE("closed without a response", FaultPhase.EXCHANGE, OptionalInt.of(1),
            NoHttpResponseException.class, "The target server failed to respond", Fault.closeWithoutResponse()),

    /**
     * 200 at once, then one body byte every 20 ms for 2 s: the 300 ms overall deadline ends the call
     * (long enough for the server to have read the request even on a loaded machine).
     */
    SLOW_DRIP("slow drip of the body past the deadline", FaultPhase.BODY, Timeouts.SLOW_DRIP, OptionalInt.of(1),
            DeadlineExceededException.class,
            "{method} http://127.0.0.1:{port} exceeded responseTimeout {responseTimeout} after 1 attempt",
            shared -> fromScript(Fault.slowDrip("x".repeat(100), Duration.ofMillis(20)))),
    /**
     * 200 declaring 100 body bytes, 10 sent, then FIN. Closing the response after the handler failed
     * reads the body again and fails again: HttpClient's try-with-resources attaches that second
     * failure as suppressed (a plain HttpClient does the same).
     */
    TRUNCATED_BODY("truncated body (10 of 100 bytes)", FaultPhase.BODY, Timeouts.DEFAULT, OptionalInt.of(1),
            new ExpectedOutcome.Failure(ConnectionClosedException.class,
                    "Premature end of Content-Length delimited message body (expected: 100; received: 10)", 1),
            shared -> fromScript(Fault.truncatedBody(100, 10)));

    /** How many times a FaultServer's script repeats the fault: more than any setting attempts. */
    static final int SCRIPTED_REPEATS = RetrySetting.MAX_RETRIES + 2;

    private final String label;
    private final FaultPhase phase;
    private final int status;
    private final List<HeaderField> headers;
    private final TimeoutPolicy timeouts;
    private final OptionalInt connectionsPerAttempt;
    private final ExpectedOutcome.Failure failure;
    private final Function<SharedFixtures, FaultEndpoint> starter;

    /** A response fault: every attempt gets this status and these headers (name, value, name, value ...). */
    FaultScenario(String label, int status, String... headerNamesAndValues) {
        this.label = label;
        this.phase = FaultPhase.RESPONSE;
        this.status = status;
        Fault.Respond respond = Fault.respond(status).body("status " + status);
        HeaderField[] fields = new HeaderField[headerNamesAndValues.length / 2];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = new HeaderField(headerNamesAndValues[2 * i], headerNamesAndValues[2 * i + 1]);
            respond = respond.header(fields[i].name(), fields[i].value());
        }
        this.headers = List.of(fields);
        this.timeouts = Timeouts.DEFAULT;
        this.connectionsPerAttempt = OptionalInt.empty(); // keep-alive: connections are reused
        this.failure = null;
        Fault fault = respond;
        this.starter = shared -> fromScript(fault);
    }

    /** A failure played by a FaultServer script. */
    FaultScenario(String label, FaultPhase phase, OptionalInt connectionsPerAttempt,
                  Class<? extends Throwable> type, String message, Fault fault) {
        this(label, phase, Timeouts.DEFAULT, connectionsPerAttempt, type, message, shared -> fromScript(fault));
    }

    FaultScenario(String label, FaultPhase phase, TimeoutPolicy timeouts, OptionalInt connectionsPerAttempt,
                  Class<? extends Throwable> type, String message, Function<SharedFixtures, FaultEndpoint> starter) {
        this(label, phase, timeouts, connectionsPerAttempt, new ExpectedOutcome.Failure(type, message, 0), starter);
    }

    FaultScenario(String label, FaultPhase phase, TimeoutPolicy timeouts, OptionalInt connectionsPerAttempt,
                  ExpectedOutcome.Failure failure, Function<SharedFixtures, FaultEndpoint> starter) {
        this.label = label;
        this.phase = phase;
        this.status = -1;
        this.headers = List.of();
        this.timeouts = timeouts;
        this.connectionsPerAttempt = connectionsPerAttempt;
        this.failure = failure;
        this.starter = starter;
    }

    private static FaultEndpoint fromScript(Fault fault) {
        FaultServer server = FaultServer.start(Fault.ok("unscripted"));
        for (int i = 0; i < SCRIPTED_REPEATS; i++) {
            server.enqueue(fault);
        }
        return FaultEndpoint.of(server);
    }

    /** Where the fault strikes. */
    public FaultPhase phase() {
        return phase;
    }

    /** The status of a {@link FaultPhase#RESPONSE} fault, -1 otherwise. */
    public int status() {
        return status;
    }

    /** The headers of a {@link FaultPhase#RESPONSE} fault beyond Content-Length, in order. */
    public List<HeaderField> headers() {
        return headers;
    }

    /** The timeouts the case's policy uses (short connect timeouts where the connect phase stalls). */
    public TimeoutPolicy timeouts() {
        return timeouts;
    }

    /** How many connections the server accepts per attempt, where that is deterministic. */
    public OptionalInt connectionsPerAttempt() {
        return connectionsPerAttempt;
    }

    /**
     * What HttpClient 5.6.5 classic throws for this fault (a fault that produces no response). Another
     * client throws other exceptions for some faults: its runner passes its own mapping to
     * {@link FaultTable#cases(java.util.function.Function)}.
     *
     * @throws IllegalStateException for a {@link FaultPhase#RESPONSE} fault, which throws nothing
     */
    public ExpectedOutcome.Failure classicFailure() {
        if (failure == null) {
            throw new IllegalStateException(name() + " produces a response, not a failure");
        }
        return failure;
    }

    /** Starts the server side of this fault (or borrows a shared one). */
    public FaultEndpoint start(SharedFixtures shared) {
        return starter.apply(shared);
    }

    @Override
    public String toString() {
        return label;
    }

    /** The timeouts of the scenarios. */
    static final class Timeouts {
        static final TimeoutPolicy DEFAULT = TimeoutPolicy.builder()
                .connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofSeconds(5)).build();
        static final TimeoutPolicy CONNECT_PHASE = TimeoutPolicy.builder()
                .connectTimeout(Duration.ofMillis(60)).responseTimeout(Duration.ofSeconds(5)).build();
        static final TimeoutPolicy SLOW_DRIP = TimeoutPolicy.builder()
                .connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofMillis(300)).build();

        private Timeouts() {
        }
    }
}
