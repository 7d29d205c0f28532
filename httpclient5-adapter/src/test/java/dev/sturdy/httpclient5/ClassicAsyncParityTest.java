package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.RetryOn;
import dev.sturdy.TcpRetryPolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.httpclient5.ParityHarness.Calls;
import dev.sturdy.httpclient5.ParityHarness.Clock;
import dev.sturdy.httpclient5.ParityHarness.Member;
import dev.sturdy.httpclient5.ParityHarness.Observation;
import dev.sturdy.httpclient5.ParityHarness.Request;
import dev.sturdy.httpclient5.ParityHarness.Scenario;
import dev.sturdy.httpclient5.ParityHarness.Target;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.testing.Fault;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The async client's issue asks for "every policy of the classic client, with the same observable
 * behaviour and the same events, counters and logs". Each row below runs one scenario twice, through
 * a classic {@link SturdyHttpClient} and a started {@link SturdyHttpAsyncClient}, each against its own
 * loopback {@link dev.sturdy.httpclient5.testing.FaultServer} scripted the same way, and records what a
 * user can observe: listener events, sturdy's log lines, the counters (client-wide and per endpoint),
 * the outcome of each call with its attempts, and the requests the server saw. The two records must be
 * equal once what legitimately differs is normalised ({@link ParityHarness} lists each normalisation).
 *
 * <p>Why a separate test rather than more assertions in the per-client tests: those check each client
 * against the spec one property at a time, so a field that only one of them reports (an extra event, a
 * counter bumped in one place only, a log line with a different wording) slips through. Comparing the
 * whole record catches those, and each row also pins its outcome and attempt count so that two clients
 * that both do nothing cannot agree vacuously.
 *
 * <p>The rows cover retries (backoff, Retry-After, exhaustion, status codes, headers, idempotency after
 * a reset or a close), TCP connect retries, per-try timeouts, the retry budget and outlier ejection (the
 * fail-fast call included), endpoint groups and admission overflow ({@link #OVERFLOW}); the timeout rows
 * ({@link #timeoutRows()}) are compared without the outcome's cause, and redirects ({@link #REDIRECT}),
 * where the clients differ by design, are written down on a disabled test.
 *
 * <p>Time and randomness come from the builders' seams: a fixed jitter draw of 0.5 makes every backoff
 * exact; rows that are not about timeouts run on a {@link FakeTicker} that stands still, so no deadline
 * can fire on a slow machine; timeout rows run on the real clock (the watchdog needs time to pass).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClassicAsyncParityTest {

    /** Backoff base 2 ms, cap 10 ms, draw 0.5: retry 1 waits 1 ms, retry 2 waits 3 ms, retry 3 waits 5 ms. */
    private static HttpRetryPolicy.Builder fastRetries(int maxRetries) {
        return HttpRetryPolicy.builder().maxRetries(maxRetries).backoff(Duration.ofMillis(2), Duration.ofMillis(10));
    }

    private static ResiliencePolicy policy(HttpRetryPolicy.Builder retry) {
        return policy(retry, b -> b);
    }

    /** 2 s connect timeout, 10 s overall deadline, the retry policy given (none when null), then {@code more}. */
    private static ResiliencePolicy policy(HttpRetryPolicy.Builder retry, UnaryOperator<ResiliencePolicy.Builder> more) {
        ResiliencePolicy.Builder b = ResiliencePolicy.builder().timeouts(timeouts(null, Duration.ofSeconds(10)));
        if (retry != null) {
            b.retry(retry.build());
        }
        return more.apply(b).build();
    }

    private static TimeoutPolicy timeouts(Duration perTry, Duration response) {
        TimeoutPolicy.Builder b = TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2)).responseTimeout(response);
        return perTry == null ? b.build() : b.perTryTimeout(perTry).build();
    }

    /** Ejection after {@code errors} errors in a row, for 30 s (the sweep never runs: the fake clock stands still). */
    private static UnaryOperator<ResiliencePolicy.Builder> ejectAfter(int errors) {
        return b -> b.circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(errors)
                .interval(Duration.ofSeconds(10)).baseEjectionTime(Duration.ofSeconds(30)).build());
    }

    private static Target server(Fault otherwise, Fault... first) {
        return Target.server(otherwise, first);
    }

    private static List<String> ends(String... perCall) {
        return List.of(perCall);
    }

    private static List<Integer> attempts(Integer... perCall) {
        return List.of(perCall);
    }

    /** An outcome that throws {@code typeAndMessage} with {@code copies} identical suppressed failures. */
    private static String thrown(String typeAndMessage, int copies) {
        return typeAndMessage + (" [suppressed " + typeAndMessage + "]").repeat(copies);
    }

    private static final String OK = "status 200 'served'";
    private static final String BUSY = "status 503 'busy'";
    private static final String REFUSED = "org.apache.hc.client5.http.HttpHostConnectException: "
            + "Connect to http://127.0.0.1:{port} failed: Connection refused";
    /** The fake clock starts at 2026-01-01T00:00:00Z: a 30 s ejection ends at 00:00:30. */
    private static final String EJECTED = "dev.sturdy.EndpointEjectedException: "
            + "http://127.0.0.1:{port} is ejected until 2026-01-01T00:00:30Z";

    /**
     * The table: name | policy | where the calls go | request | how the calls are made | clock | the
     * fault the async transport reports differently (or null) | how each call ends | attempts per call.
     * Outcomes read {@code status <code> '<body>'} or {@code <ExceptionType>: <message>} followed by
     * {@code [suppressed ...]} and {@code [cause ...]}; {@code {port}} is the endpoint's port, {@code {m1}}
     * and {@code {m2}} those of an endpoint group's members (the group's service is {@code http://orders}).
     */
    static Stream<Scenario> scenarios() {
        return Stream.of(
                new Scenario("503 then 200 after a backoff",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.respond(503)),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("503 with Retry-After: 1 then 200",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.respond(503).header("Retry-After", "1")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("503 with Retry-After as an HTTP-date 2 s ahead of the fake clock, then 200",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.respond(503).header("Retry-After", "Thu, 01 Jan 2026 00:00:02 GMT")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("503 with a Retry-After past the deadline is returned at once",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.respond(503).header("Retry-After", "30").body("later")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends("status 503 'later'"), attempts(1)),
                new Scenario("503 until the retries run out",
                        policy(fastRetries(2)),
                        server(Fault.respond(503).body("busy")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(BUSY), attempts(3)),
                new Scenario("429 retried by status code",
                        policy(fastRetries(3).retryOn(RetryOn.RETRIABLE_STATUS_CODES).statusCodes(429)),
                        server(Fault.ok("served"), Fault.respond(429), Fault.respond(429)),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(3)),
                new Scenario("POST after a reset is not retried",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.resetAfterRequest()),
                        Request.POST, Calls.once(), Clock.FAKE, null, ends("java.net.SocketException: Connection reset"),
                        attempts(1)),
                new Scenario("GET after a reset is retried",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.resetAfterRequest()),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("POST after a reset is retried with retryNonIdempotent",
                        policy(fastRetries(3).retryNonIdempotent(true)),
                        server(Fault.ok("served"), Fault.resetAfterRequest()),
                        Request.POST, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("POST after a reset is retried with the request-level override",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.resetAfterRequest()),
                        Request.POST_MAY_RETRY, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("POST with a body that cannot be sent again is not retried, whatever the policy",
                        policy(fastRetries(3).retryNonIdempotent(true)),
                        server(Fault.ok("served"), Fault.respond(503).body("busy")),
                        Request.POST_STREAMED, Calls.once(), Clock.FAKE, null, ends(BUSY), attempts(1)),
                new Scenario("POST closed without a response is not retried",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.closeWithoutResponse()),
                        Request.POST, Calls.once(), Clock.FAKE, FaultScenario.CLOSED_WITHOUT_RESPONSE,
                        ends("org.apache.hc.core5.http.NoHttpResponseException: The target server failed to respond"),
                        attempts(1)),
                new Scenario("GET closed without a response is retried",
                        policy(fastRetries(3)),
                        server(Fault.ok("served"), Fault.closeWithoutResponse()),
                        Request.GET, Calls.once(), Clock.FAKE, FaultScenario.CLOSED_WITHOUT_RESPONSE, ends(OK), attempts(2)),
                new Scenario("connection refused, 3 connect attempts per HTTP attempt",
                        policy(fastRetries(1), b -> b.tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))),
                        Target.refusing(),
                        Request.GET, Calls.once(), Clock.FAKE, FaultScenario.REFUSED, ends(thrown(REFUSED, 5)), attempts(2)),
                new Scenario("retry budget with no room refuses the first retry",
                        policy(fastRetries(3).budget(RetryBudget.of(0, 0))),
                        server(Fault.respond(503).body("busy")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(BUSY), attempts(1)),
                new Scenario("retry budget of one: of two calls at once, one retries and one is refused",
                        policy(fastRetries(1).budget(RetryBudget.of(0, 1))),
                        // the delay keeps both first attempts in flight together, even on a loaded machine
                        server(Fault.respond(503).body("busy").delayedBy(Duration.ofMillis(1500))),
                        Request.GET, Calls.atOnce(2), Clock.FAKE, null, ends(BUSY, BUSY), attempts(1, 2)),
                new Scenario("retriable-headers match on a 200",
                        policy(fastRetries(3).retryOn(RetryOn.RETRIABLE_HEADERS)
                                .header(HeaderMatch.exact("x-ms-retriable", "true"))),
                        server(Fault.ok("served"), Fault.respond(200).header("x-ms-retriable", "true").body("busy")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(2)),
                new Scenario("409 is not retried on 5xx",
                        policy(fastRetries(3)),
                        server(Fault.respond(409).body("conflict")),
                        Request.GET, Calls.once(), Clock.FAKE, null, ends("status 409 'conflict'"), attempts(1)),
                new Scenario("3 consecutive 503s eject the endpoint, the next call fails fast",
                        policy(null, ejectAfter(3)),
                        server(Fault.respond(503).body("busy")),
                        Request.GET, Calls.inTurn(4), Clock.FAKE, null,
                        ends(BUSY, BUSY, BUSY, EJECTED + " (3 consecutive errors)"), attempts(1, 1, 1, 0)),
                new Scenario("2 refused connects eject the endpoint, the next call fails fast",
                        policy(null, ejectAfter(2)),
                        Target.refusing(),
                        Request.GET, Calls.inTurn(3), Clock.FAKE, FaultScenario.REFUSED,
                        ends(REFUSED, REFUSED, EJECTED + " (2 consecutive errors)"), attempts(1, 1, 0)),
                new Scenario("ejected in the middle of a call's retries",
                        policy(fastRetries(3), ejectAfter(2)),
                        server(Fault.respond(503).body("busy")),
                        Request.GET, Calls.inTurn(2), Clock.FAKE, null,
                        ends(BUSY, EJECTED + " (2 consecutive errors)"), attempts(2, 0)),
                new Scenario("ejection ends, one error on probation ejects again for twice as long",
                        policy(null, ejectAfter(2)),
                        server(Fault.respond(503).body("busy")),
                        Request.GET, Calls.inTurn(5).advancingAfter(3, Duration.ofSeconds(30)), Clock.FAKE, null,
                        ends(BUSY, BUSY, EJECTED + " (2 consecutive errors)", BUSY,
                                EJECTED.replace("00:00:30Z", "00:01:30Z") + " (error on probation)"),
                        attempts(1, 1, 0, 1, 0)),
                new Scenario("group: a retry goes to the member not tried yet",
                        policy(fastRetries(3)),
                        Target.group(Member.server(Fault.respond(503).body("busy")), Member.server(Fault.ok("served"))),
                        Request.GET, Calls.inTurn(3), Clock.FAKE, null, ends(OK, OK, OK), attempts(2, 1, 2)),
                new Scenario("group: a member ejected after one error, the others take its calls",
                        policy(null, ejectAfter(1)),
                        Target.group(Member.server(Fault.respond(503).body("busy")), Member.server(Fault.ok("served"))),
                        Request.GET, Calls.inTurn(3), Clock.FAKE, null, ends(BUSY, OK, OK), attempts(1, 1, 1)),
                new Scenario("group: every member refuses and is ejected, the next call fails fast",
                        policy(fastRetries(1), b -> b.circuitBreaker(CircuitBreakerPolicy.builder().consecutiveErrors(1)
                                .baseEjectionTime(Duration.ofSeconds(30)).maxEjectionPercent(100).build())),
                        Target.group(Member.refusing(), Member.refusing()),
                        Request.GET, Calls.inTurn(2), Clock.FAKE, FaultScenario.REFUSED, ends(REFUSED.replace("{port}", "{m2}") + " [suppressed " + REFUSED.replace("{port}", "{m1}") + "]",
                                "dev.sturdy.EndpointEjectedException: all 2 members of http://orders:80 are ejected: "
                                        + "http://127.0.0.1:{m1} until 2026-01-01T00:00:30Z (1 consecutive error), "
                                        + "http://127.0.0.1:{m2} until 2026-01-01T00:00:30Z (1 consecutive error)"),
                        attempts(2, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void asyncClientObservesLikeTheClassicClient(Scenario scenario) throws Exception {
        Observation classic = ParityHarness.runClassic(scenario);
        Observation async = ParityHarness.runAsync(scenario);
        System.out.println(scenario + "\n" + sideBySide(classic, async));

        assertRowHolds(scenario, classic);
        if (scenario.transportFault() != null) {
            assertThat(async.transportRewrites()).as("rewrites of the async form of %s (none: the row should not "
                    + "name it)", scenario.transportFault()).isPositive();
        }
        assertParity(classic, async);
    }

    /*
     * The timeout rows, kept out of the table because the outcome's cause differs by construction (see
     * onTheTimeoutRowsOnlyTheCauseDiffers): the classic client's timeout exception has the aborted read's
     * exception as its cause (SocketException: Socket closed or, when the socket's read timeout wins the
     * race, SocketTimeoutException: Read timed out); the async client's has none. The rows' expected
     * outcomes leave the cause out, as it is racy in the classic client.
     */

    /**
     * A timeout cuts a silent server's only attempt: the call ends on the overall deadline. The deadline is
     * 1 s: the first call of a fresh client (classes loaded, I/O reactor started, connection opened) must
     * reach the server within it even on a loaded machine.
     */
    private static final Scenario DEADLINE = new Scenario("overall deadline exceeded on a silent server",
            policy(fastRetries(3), b -> b.timeouts(timeouts(null, Duration.ofSeconds(1)))),
            server(Fault.silent()),
            Request.GET, Calls.once(), Clock.REAL, null,
            ends("dev.sturdy.DeadlineExceededException: GET http://127.0.0.1:{port} exceeded responseTimeout PT1S"
                    + " after 1 attempt"), attempts(1));

    /**
     * The first attempt meets a silent server and times out; the retry is answered. The per-try timeout
     * is a generous 1 s: the retry must be answered within it even on a heavily loaded machine.
     */
    private static final Scenario PER_TRY_THEN_OK = new Scenario("per-try timeout then 200",
            policy(fastRetries(3), b -> b.timeouts(timeouts(Duration.ofSeconds(1), Duration.ofSeconds(3)))),
            server(Fault.ok("served"), Fault.silent()),
            Request.GET, Calls.once(), Clock.REAL, null, ends(OK), attempts(2));

    /** Every attempt of a silent server times out: the call ends on the last per-try timeout. */
    private static final Scenario PER_TRY_EXHAUSTED = new Scenario("per-try timeouts until the retries run out",
            policy(fastRetries(2), b -> b.timeouts(timeouts(Duration.ofMillis(200), Duration.ofSeconds(3)))),
            server(Fault.silent()),
            Request.GET, Calls.once(), Clock.REAL, null,
            ends("dev.sturdy.PerTryTimeoutException: GET http://127.0.0.1:{port} attempt 3 exceeded perTryTimeout PT0.2S"
                    + " [suppressed dev.sturdy.PerTryTimeoutException: GET http://127.0.0.1:{port} attempt 1"
                    + " exceeded perTryTimeout PT0.2S]"
                    + " [suppressed dev.sturdy.PerTryTimeoutException: GET http://127.0.0.1:{port} attempt 2"
                    + " exceeded perTryTimeout PT0.2S]"), attempts(3));

    static Stream<Scenario> timeoutRows() {
        return Stream.of(DEADLINE, PER_TRY_THEN_OK, PER_TRY_EXHAUSTED);
    }

    /**
     * The timeout rows agree on everything but the outcome's cause. The classic client's timeout exception
     * carries the exception of the read it aborted (and which one is racy: {@code SocketException: Socket
     * closed} or {@code SocketTimeoutException}); the async client cancels the exchange, so no I/O
     * exception exists to carry. A difference by construction, not a bug: both name the same timeout,
     * endpoint, method and attempt, with the same suppressed earlier attempts.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("timeoutRows")
    void onTheTimeoutRowsOnlyTheCauseDiffers(Scenario scenario) throws Exception {
        Observation classic = ParityHarness.runClassic(scenario);
        Observation async = ParityHarness.runAsync(scenario);
        System.out.println(scenario + " (cause set aside)\n" + sideBySide(classic, async));

        assertRowHolds(scenario, withoutCause(classic));
        assertParity(withoutCause(classic), withoutCause(async));
    }

    /**
     * Both per-try rows, in turn, twelve times, with the usual 2 s for the pool to become idle. Before the
     * async client closed the connection of an attempt it cancels, about one run in four kept a connection
     * leased until the overall deadline (a cancel that did not reach the exchange), so a pass by luck is
     * unlikely (about 3 %).
     */
    @RepeatedTest(12)
    void afterAPerTryTimeoutBothPoolsAreIdleAtOnce(RepetitionInfo repetition) throws Exception {
        Scenario scenario = repetition.getCurrentRepetition() % 2 == 0 ? PER_TRY_THEN_OK : PER_TRY_EXHAUSTED;
        Observation classic = ParityHarness.runClassic(scenario);
        Observation async = ParityHarness.runAsync(scenario);

        assertRowHolds(scenario, withoutCause(classic));
        assertParity(withoutCause(classic), withoutCause(async));
    }

    /** Two calls at once where one is allowed in flight: the second is refused before any attempt. */
    private static final Scenario OVERFLOW = new Scenario("http2MaxRequests 1: of two calls at once, one is refused",
            policy(fastRetries(3), b -> b.connectionPool(ConnectionPoolPolicy.builder().http2MaxRequests(1).build())),
            // the delay keeps the first call in flight while the second is made, even on a loaded machine
            server(Fault.ok("served").delayedBy(Duration.ofMillis(1500))),
            Request.GET, Calls.atOnce(2), Clock.FAKE, null,
            ends("dev.sturdy.PoolOverflowException: GET http://127.0.0.1:{port} refused: 1 requests already in flight"
                    + " (http2MaxRequests 1)", OK), attempts(0, 1));

    /**
     * The async client refuses the call as the classic client does, naming the method and endpoint and
     * counting {@code rq_pending_overflow} for the endpoint, also when the call carries its URI in the
     * request (no {@code HttpHost} argument, the usual async call).
     */
    @Test
    void anOverflowIsReportedAsTheClassicClientReportsIt() throws Exception {
        Observation classic = ParityHarness.runClassic(OVERFLOW);
        Observation async = ParityHarness.runAsync(OVERFLOW);
        System.out.println(OVERFLOW + "\n" + sideBySide(classic, async));

        assertRowHolds(OVERFLOW, classic);
        assertParity(classic, async);
    }

    /**
     * A 302 to {@code /next}, which answers 503 and then 200 (the server's script is one queue: the
     * third request gets the 200 whatever its path).
     */
    private static final Scenario REDIRECT = new Scenario("a redirect to a path answering 503, then 200",
            policy(fastRetries(3)),
            server(Fault.ok("served"), Fault.respond(302).header("Location", "/next"), Fault.respond(503)),
            Request.GET, Calls.once(), Clock.FAKE, null, ends(OK), attempts(3));

    /**
     * The classic client retries the hop that failed and counts every exchange of every hop as an
     * attempt: requests {@code /parity, /next, /next}, 3 attempts, {@code rq_total} 3, the 503 reported
     * as attempt 2. The async client retries the whole redirect chain (as {@code AsyncCall} says it does)
     * and counts the chain as one attempt: requests {@code /parity, /next, /parity}, 2 attempts,
     * {@code rq_total} 2 although three requests went upstream, the 503 reported as attempt 1.
     */
    @Disabled("Known difference (README 'Async client'): async retries a redirected call from its first hop and"
            + " counts the chain as one attempt")
    @Test
    void aRedirectedCallIsRetriedAndCountedAsTheClassicClientDoes() throws Exception {
        Observation classic = ParityHarness.runClassic(REDIRECT);
        Observation async = ParityHarness.runAsync(REDIRECT);
        System.out.println(REDIRECT + "\n" + sideBySide(classic, async));

        assertRowHolds(REDIRECT, classic);
        assertParity(classic, async);
    }

    private static Observation withoutCause(Observation o) {
        return new Observation(o.outcomes().stream().map(s -> s.replaceAll(" \\[cause [^\\]]*\\]$", "")).toList(),
                o.attempts(), o.events(), o.logs(), o.counters(), o.serverRequests(), o.transportRewrites());
    }

    /** The row itself: the classic client must do what it says, so that the two cannot agree vacuously. */
    private static void assertRowHolds(Scenario scenario, Observation classic) {
        assertThat(classic.outcomes()).as("classic outcomes of %s", scenario).isEqualTo(scenario.expectedOutcomes());
        assertThat(classic.attempts()).as("classic attempts of %s", scenario).isEqualTo(scenario.expectedAttempts());
    }

    /** Every part of the record, compared separately so that one run reports every difference. */
    static void assertParity(Observation classic, Observation async) {
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(async.outcomes()).as("outcomes").isEqualTo(classic.outcomes());
        soft.assertThat(async.attempts()).as("attempts").isEqualTo(classic.attempts());
        soft.assertThat(async.events()).as("listener events").isEqualTo(classic.events());
        soft.assertThat(async.logs()).as("dev.sturdy log events").isEqualTo(classic.logs());
        soft.assertThat(async.counters()).as("counters").isEqualTo(classic.counters());
        soft.assertThat(async.serverRequests()).as("requests the server read").isEqualTo(classic.serverRequests());
        soft.assertThat(classic.transportRewrites()).as("rewrites in the classic record (never)").isZero();
        soft.assertAll();
    }

    /** Both records of a row, one line each: printed for every row, so the test's output shows what was compared. */
    static String sideBySide(Observation classic, Observation async) {
        return String.join("\n", List.of("classic: " + classic, "async:   " + async));
    }
}
