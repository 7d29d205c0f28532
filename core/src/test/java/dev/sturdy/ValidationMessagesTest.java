package dev.sturdy;

import static java.time.Duration.ZERO;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad configuration is refused with the whole message {@code field: value (expected: constraint)}:
 * single fields in setters ({@link IllegalArgumentException}, {@link NullPointerException} for null),
 * cross-field rules in {@code build()} ({@link IllegalStateException}).
 */
class ValidationMessagesTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;
    private static final Duration MINUS_ONE_SECOND = ofSeconds(-1);

    @ParameterizedTest(name = "{0}")
    @MethodSource("timeoutPolicyCases")
    void timeoutPolicyRefusesBadValuesWithTheirWholeMessage(String name, ThrowingCallable call,
            Class<? extends Throwable> type, String message) {
        assertRefused(call, type, message);
    }

    static Stream<Arguments> timeoutPolicyCases() {
        return Stream.of(
                refused("connectTimeout zero", () -> TimeoutPolicy.builder().connectTimeout(ZERO),
                        IAE, "connectTimeout: PT0S (expected: > 0)"),
                refused("connectTimeout negative", () -> TimeoutPolicy.builder().connectTimeout(MINUS_ONE_SECOND),
                        IAE, "connectTimeout: PT-1S (expected: > 0)"),
                refused("connectTimeout null", () -> TimeoutPolicy.builder().connectTimeout(null),
                        NPE, "connectTimeout: null (expected: non-null)"),
                refused("responseTimeout zero", () -> TimeoutPolicy.builder().responseTimeout(ZERO),
                        IAE, "responseTimeout: PT0S (expected: > 0)"),
                refused("responseTimeout negative", () -> TimeoutPolicy.builder().responseTimeout(ofMillis(-5)),
                        IAE, "responseTimeout: PT-0.005S (expected: > 0)"),
                refused("responseTimeout null", () -> TimeoutPolicy.builder().responseTimeout(null),
                        NPE, "responseTimeout: null (expected: non-null)"),
                refused("perTryTimeout zero", () -> TimeoutPolicy.builder().perTryTimeout(ZERO),
                        IAE, "perTryTimeout: PT0S (expected: > 0)"),
                refused("perTryTimeout negative", () -> TimeoutPolicy.builder().perTryTimeout(MINUS_ONE_SECOND),
                        IAE, "perTryTimeout: PT-1S (expected: > 0)"),
                refused("perTryTimeout null", () -> TimeoutPolicy.builder().perTryTimeout(null),
                        NPE, "perTryTimeout: null (expected: non-null)"),
                refused("perTryTimeout above responseTimeout",
                        () -> TimeoutPolicy.builder().perTryTimeout(ofSeconds(20)).responseTimeout(ofSeconds(15)).build(),
                        ISE, "perTryTimeout: PT20S (expected: <= responseTimeout PT15S)"),
                refused("perTryTimeout above default responseTimeout",
                        () -> TimeoutPolicy.builder().perTryTimeout(ofSeconds(61)).build(),
                        ISE, "perTryTimeout: PT1M1S (expected: <= responseTimeout PT1M)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("httpRetryPolicyCases")
    void httpRetryPolicyRefusesBadValuesWithTheirWholeMessage(String name, ThrowingCallable call,
            Class<? extends Throwable> type, String message) {
        assertRefused(call, type, message);
    }

    static Stream<Arguments> httpRetryPolicyCases() {
        return Stream.of(
                refused("maxRetries negative", () -> HttpRetryPolicy.builder().maxRetries(-1),
                        IAE, "maxRetries: -1 (expected: >= 0)"),
                refused("maxRetries min int", () -> HttpRetryPolicy.builder().maxRetries(Integer.MIN_VALUE),
                        IAE, "maxRetries: -2147483648 (expected: >= 0)"),
                refused("initialDelay zero", () -> HttpRetryPolicy.builder().initialDelay(ZERO),
                        IAE, "initialDelay: PT0S (expected: > 0)"),
                refused("initialDelay null", () -> HttpRetryPolicy.builder().initialDelay(null),
                        NPE, "initialDelay: null (expected: non-null)"),
                refused("maxInterval negative", () -> HttpRetryPolicy.builder().maxInterval(MINUS_ONE_SECOND),
                        IAE, "maxInterval: PT-1S (expected: > 0)"),
                refused("maxInterval null", () -> HttpRetryPolicy.builder().maxInterval(null),
                        NPE, "maxInterval: null (expected: non-null)"),
                refused("backoff initialDelay zero", () -> HttpRetryPolicy.builder().backoff(ZERO, ofSeconds(1)),
                        IAE, "initialDelay: PT0S (expected: > 0)"),
                refused("backoff initialDelay null", () -> HttpRetryPolicy.builder().backoff(null, ofSeconds(1)),
                        NPE, "initialDelay: null (expected: non-null)"),
                refused("backoff maxInterval zero", () -> HttpRetryPolicy.builder().backoff(ofSeconds(1), ZERO),
                        IAE, "maxInterval: PT0S (expected: > 0)"),
                refused("backoff maxInterval null", () -> HttpRetryPolicy.builder().backoff(ofSeconds(1), null),
                        NPE, "maxInterval: null (expected: non-null)"),
                refused("initialDelay above maxInterval",
                        () -> HttpRetryPolicy.builder().backoff(ofSeconds(20), ofSeconds(10)).build(),
                        ISE, "initialDelay: PT20S (expected: <= maxInterval PT10S)"),
                refused("initialDelay above default maxInterval",
                        () -> HttpRetryPolicy.builder().initialDelay(ofSeconds(11)).build(),
                        ISE, "initialDelay: PT11S (expected: <= maxInterval PT10S)"),
                refused("retryOn empty", () -> HttpRetryPolicy.builder().retryOn(),
                        IAE, "retryOn: [] (expected: non-empty)"),
                refused("retryOn null array", () -> HttpRetryPolicy.builder().retryOn((RetryOn[]) null),
                        NPE, "retryOn: null (expected: non-null)"),
                refused("retryOn null element", () -> HttpRetryPolicy.builder().retryOn(RetryOn.FIVE_XX, null),
                        NPE, "retryOn[1]: null (expected: non-null)"),
                refused("statusCodes above 599", () -> HttpRetryPolicy.builder().statusCodes(503, 600),
                        IAE, "statusCodes: 600 (expected: in [100, 599])"),
                refused("statusCodes below 100", () -> HttpRetryPolicy.builder().statusCodes(99),
                        IAE, "statusCodes: 99 (expected: in [100, 599])"),
                refused("statusCodes negative", () -> HttpRetryPolicy.builder().statusCodes(-503),
                        IAE, "statusCodes: -503 (expected: in [100, 599])"),
                refused("statusCodes null", () -> HttpRetryPolicy.builder().statusCodes((int[]) null),
                        NPE, "statusCodes: null (expected: non-null)"),
                refused("header null", () -> HttpRetryPolicy.builder().header(null),
                        NPE, "header: null (expected: non-null)"),
                refused("headers null", () -> HttpRetryPolicy.builder().headers(null),
                        NPE, "headers: null (expected: non-null)"),
                refused("headers null element",
                        () -> HttpRetryPolicy.builder().headers(Arrays.asList(HeaderMatch.present("a"), null)),
                        NPE, "headers[1]: null (expected: non-null)"),
                refused("maxRetryAfter zero", () -> HttpRetryPolicy.builder().maxRetryAfter(ZERO),
                        IAE, "maxRetryAfter: PT0S (expected: > 0)"),
                refused("maxRetryAfter null", () -> HttpRetryPolicy.builder().maxRetryAfter(null),
                        NPE, "maxRetryAfter: null (expected: non-null)"),
                refused("budget null", () -> HttpRetryPolicy.builder().budget(null),
                        NPE, "budget: null (expected: non-null)"),
                refused("retriable-status-codes without codes",
                        () -> HttpRetryPolicy.builder().retryOn(RetryOn.RETRIABLE_STATUS_CODES).build(),
                        ISE, "statusCodes: [] (expected: non-empty when retryOn contains retriable-status-codes)"),
                refused("codes cleared after retriable-status-codes",
                        () -> HttpRetryPolicy.builder().retryOn(RetryOn.RETRIABLE_STATUS_CODES).statusCodes(503)
                                .statusCodes().build(),
                        ISE, "statusCodes: [] (expected: non-empty when retryOn contains retriable-status-codes)"),
                refused("codes without retriable-status-codes",
                        () -> HttpRetryPolicy.builder().statusCodes(503, 502).build(),
                        ISE, "retryOn: [5xx] (expected: to contain retriable-status-codes when statusCodes is set)"),
                refused("retriable-headers without headers",
                        () -> HttpRetryPolicy.builder().retryOn(RetryOn.FIVE_XX, RetryOn.RETRIABLE_HEADERS).build(),
                        ISE, "headers: [] (expected: non-empty when retryOn contains retriable-headers)"),
                refused("headers without retriable-headers",
                        () -> HttpRetryPolicy.builder().retryOn(RetryOn.RESET, RetryOn.CONNECT_FAILURE)
                                .header(HeaderMatch.exact("x-ms-retriable", "true")).build(),
                        ISE, "retryOn: [reset, connect-failure] (expected: to contain retriable-headers when "
                                + "headers is set)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueCases")
    void retryOnBudgetAndHeaderMatchRefuseBadValuesWithTheirWholeMessage(String name, ThrowingCallable call,
            Class<? extends Throwable> type, String message) {
        assertRefused(call, type, message);
    }

    static Stream<Arguments> valueCases() {
        String tooLong = "v".repeat(HeaderMatch.MAX_EXAMINED_LENGTH + 1);
        return Stream.of(
                refused("retryOn unknown token", () -> RetryOn.fromToken("bogus"),
                        IAE, "retryOn: \"bogus\" (expected: one of 5xx, gateway-error, reset, connect-failure, "
                                + "retriable-4xx, refused-stream, retriable-status-codes, retriable-headers)"),
                refused("retryOn token in upper case", () -> RetryOn.fromToken("5XX"),
                        IAE, "retryOn: \"5XX\" (expected: one of 5xx, gateway-error, reset, connect-failure, "
                                + "retriable-4xx, refused-stream, retriable-status-codes, retriable-headers)"),
                refused("retryOn token null", () -> RetryOn.fromToken(null),
                        NPE, "retryOn: null (expected: non-null)"),
                refused("budget percent above 100", () -> RetryBudget.of(101, 3),
                        IAE, "percent: 101.0 (expected: in [0, 100])"),
                refused("budget percent negative", () -> RetryBudget.of(-0.5, 3),
                        IAE, "percent: -0.5 (expected: in [0, 100])"),
                refused("budget percent NaN", () -> RetryBudget.of(Double.NaN, 3),
                        IAE, "percent: NaN (expected: in [0, 100])"),
                refused("budget percent infinite", () -> RetryBudget.of(Double.POSITIVE_INFINITY, 3),
                        IAE, "percent: Infinity (expected: in [0, 100])"),
                refused("budget minRetryConcurrency negative", () -> RetryBudget.of(20, -1),
                        IAE, "minRetryConcurrency: -1 (expected: >= 0)"),
                refused("header name null", () -> HeaderMatch.exact(null, "v"),
                        NPE, "name: null (expected: non-null)"),
                refused("header name empty", () -> HeaderMatch.present(""),
                        IAE, "name: \"\" (expected: non-empty)"),
                refused("header name with space", () -> HeaderMatch.prefix("x retriable", "v"),
                        IAE, "name: \"x retriable\" (expected: an HTTP token (RFC 9110 field name))"),
                refused("header name with colon", () -> HeaderMatch.suffix("x-a:", "v"),
                        IAE, "name: \"x-a:\" (expected: an HTTP token (RFC 9110 field name))"),
                refused("header name non-ascii", () -> HeaderMatch.contains("x-\u00e9", "v"),
                        IAE, "name: \"x-\u00e9\" (expected: an HTTP token (RFC 9110 field name))"),
                refused("exact value null", () -> HeaderMatch.exact("x-a", null),
                        NPE, "value: null (expected: non-null)"),
                refused("exact value too long", () -> HeaderMatch.exact("x-a", tooLong),
                        IAE, "value.length: 8193 (expected: <= 8192)"),
                refused("prefix empty", () -> HeaderMatch.prefix("x-a", ""),
                        IAE, "value: \"\" (expected: non-empty)"),
                refused("prefix too long", () -> HeaderMatch.prefix("x-a", tooLong),
                        IAE, "value.length: 8193 (expected: <= 8192)"),
                refused("suffix empty", () -> HeaderMatch.suffix("x-a", ""),
                        IAE, "value: \"\" (expected: non-empty)"),
                refused("suffix null", () -> HeaderMatch.suffix("x-a", null),
                        NPE, "value: null (expected: non-null)"),
                refused("contains empty", () -> HeaderMatch.contains("x-a", ""),
                        IAE, "value: \"\" (expected: non-empty)"),
                refused("contains too long", () -> HeaderMatch.contains("x-a", tooLong),
                        IAE, "value.length: 8193 (expected: <= 8192)"),
                refused("regex null", () -> HeaderMatch.regex("x-a", null),
                        NPE, "regex: null (expected: non-null)"),
                refused("regex empty", () -> HeaderMatch.regex("x-a", ""),
                        IAE, "regex: \"\" (expected: non-empty)"),
                refused("regex invalid", () -> HeaderMatch.regex("X-Retry", "[a-"),
                        IAE, "regex: \"[a-\" (expected: a valid regular expression for header x-retry: "
                                + "Illegal character range near index 3)"),
                refused("regex unclosed group", () -> HeaderMatch.regex("x-a", "(ab"),
                        IAE, "regex: \"(ab\" (expected: a valid regular expression for header x-a: "
                                + "Unclosed group near index 3)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherPolicyCases")
    void tcpCircuitBreakerPoolAndAggregateRefuseBadValuesWithTheirWholeMessage(String name, ThrowingCallable call,
            Class<? extends Throwable> type, String message) {
        assertRefused(call, type, message);
    }

    static Stream<Arguments> otherPolicyCases() {
        return Stream.of(
                refused("maxConnectAttempts zero (factory)", () -> TcpRetryPolicy.maxConnectAttempts(0),
                        IAE, "maxConnectAttempts: 0 (expected: >= 1)"),
                refused("maxConnectAttempts negative (builder)", () -> TcpRetryPolicy.builder().maxConnectAttempts(-3),
                        IAE, "maxConnectAttempts: -3 (expected: >= 1)"),
                refused("consecutiveErrors zero", () -> CircuitBreakerPolicy.builder().consecutiveErrors(0),
                        IAE, "consecutiveErrors: 0 (expected: >= 1)"),
                refused("interval zero", () -> CircuitBreakerPolicy.builder().interval(ZERO),
                        IAE, "interval: PT0S (expected: > 0)"),
                refused("interval null", () -> CircuitBreakerPolicy.builder().interval(null),
                        NPE, "interval: null (expected: non-null)"),
                refused("baseEjectionTime negative", () -> CircuitBreakerPolicy.builder().baseEjectionTime(MINUS_ONE_SECOND),
                        IAE, "baseEjectionTime: PT-1S (expected: > 0)"),
                refused("baseEjectionTime null", () -> CircuitBreakerPolicy.builder().baseEjectionTime(null),
                        NPE, "baseEjectionTime: null (expected: non-null)"),
                refused("maxEjectionTime zero", () -> CircuitBreakerPolicy.builder().maxEjectionTime(ZERO),
                        IAE, "maxEjectionTime: PT0S (expected: > 0)"),
                refused("maxEjectionTime null", () -> CircuitBreakerPolicy.builder().maxEjectionTime(null),
                        NPE, "maxEjectionTime: null (expected: non-null)"),
                refused("maxEjectionPercent negative", () -> CircuitBreakerPolicy.builder().maxEjectionPercent(-1),
                        IAE, "maxEjectionPercent: -1 (expected: in [0, 100])"),
                refused("maxEjectionPercent above 100", () -> CircuitBreakerPolicy.builder().maxEjectionPercent(101),
                        IAE, "maxEjectionPercent: 101 (expected: in [0, 100])"),
                refused("baseEjectionTime above maxEjectionTime",
                        () -> CircuitBreakerPolicy.builder().baseEjectionTime(ofSeconds(360)).build(),
                        ISE, "baseEjectionTime: PT6M (expected: <= maxEjectionTime PT5M)"),
                refused("maxEjectionTime below baseEjectionTime",
                        () -> CircuitBreakerPolicy.builder().maxEjectionTime(ofSeconds(10)).build(),
                        ISE, "baseEjectionTime: PT30S (expected: <= maxEjectionTime PT10S)"),
                refused("maxConnections zero", () -> ConnectionPoolPolicy.builder().maxConnections(0),
                        IAE, "maxConnections: 0 (expected: >= 1)"),
                refused("maxConnectionsPerEndpoint zero", () -> ConnectionPoolPolicy.builder().maxConnectionsPerEndpoint(0),
                        IAE, "maxConnectionsPerEndpoint: 0 (expected: >= 1)"),
                refused("http1MaxPendingRequests negative",
                        () -> ConnectionPoolPolicy.builder().http1MaxPendingRequests(-1),
                        IAE, "http1MaxPendingRequests: -1 (expected: >= 0)"),
                refused("http2MaxRequests zero", () -> ConnectionPoolPolicy.builder().http2MaxRequests(0),
                        IAE, "http2MaxRequests: 0 (expected: >= 1)"),
                refused("maxPendingWait zero", () -> ConnectionPoolPolicy.builder().maxPendingWait(ZERO),
                        IAE, "maxPendingWait: PT0S (expected: > 0)"),
                refused("maxPendingWait null", () -> ConnectionPoolPolicy.builder().maxPendingWait(null),
                        NPE, "maxPendingWait: null (expected: non-null)"),
                refused("maxConnectionsPerEndpoint above maxConnections",
                        () -> ConnectionPoolPolicy.builder().maxConnectionsPerEndpoint(200).build(),
                        ISE, "maxConnectionsPerEndpoint: 200 (expected: <= maxConnections 100)"),
                refused("maxConnections lowered below maxConnectionsPerEndpoint",
                        () -> ConnectionPoolPolicy.builder().maxConnectionsPerEndpoint(50).maxConnections(10).build(),
                        ISE, "maxConnectionsPerEndpoint: 50 (expected: <= maxConnections 10)"),
                refused("timeouts null", () -> ResiliencePolicy.builder().timeouts(null),
                        NPE, "timeouts: null (expected: non-null)"),
                refused("retry null", () -> ResiliencePolicy.builder().retry(null),
                        NPE, "retry: null (expected: non-null)"),
                refused("tcpRetry null", () -> ResiliencePolicy.builder().tcpRetry(null),
                        NPE, "tcpRetry: null (expected: non-null)"),
                refused("circuitBreaker null", () -> ResiliencePolicy.builder().circuitBreaker(null),
                        NPE, "circuitBreaker: null (expected: non-null)"),
                refused("connectionPool null", () -> ResiliencePolicy.builder().connectionPool(null),
                        NPE, "connectionPool: null (expected: non-null)"),
                refused("listener null", () -> ResiliencePolicy.builder().listener(null),
                        NPE, "listener: null (expected: non-null)"));
    }

    private static Arguments refused(String name, ThrowingCallable call, Class<? extends Throwable> type,
            String message) {
        return arguments(name, call, type, message);
    }

    private static void assertRefused(ThrowingCallable call, Class<? extends Throwable> type, String message) {
        assertThatThrownBy(call).isExactlyInstanceOf(type).hasMessage(message);
    }
}
