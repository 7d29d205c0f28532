package dev.sturdy.internal.retry;

import static dev.sturdy.internal.retry.FailureClass.CANCELLED;
import static dev.sturdy.internal.retry.FailureClass.CONNECT_FAILURE;
import static dev.sturdy.internal.retry.FailureClass.DEADLINE_EXCEEDED;
import static dev.sturdy.internal.retry.FailureClass.LOCAL_REJECTION;
import static dev.sturdy.internal.retry.FailureClass.OTHER;
import static dev.sturdy.internal.retry.FailureClass.PER_TRY_TIMEOUT;
import static dev.sturdy.internal.retry.FailureClass.REFUSED_STREAM;
import static dev.sturdy.internal.retry.FailureClass.RESET;
import static dev.sturdy.internal.retry.FailureClass.TLS_FAILURE;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_BODY_NOT_REPEATABLE;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_CANCELLED;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_DEADLINE;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_EXHAUSTED;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_LOCAL_REJECTION;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_NOT_IDEMPOTENT;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_OTHER;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_SUCCESS;
import static dev.sturdy.internal.retry.RetryDecision.NO_RETRY_TLS_FAILURE;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_5XX;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_CONNECT_FAILURE;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_GATEWAY_ERROR;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_HEADER;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_PER_TRY_TIMEOUT;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_REFUSED_STREAM;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_RESET;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_RETRIABLE_4XX;
import static dev.sturdy.internal.retry.RetryDecision.RETRY_STATUS_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.RetryOn;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryDeciderTest {

    private static final RetryDecider DEFAULT = new RetryDecider(HttpRetryPolicy.defaults());
    private static final RetryDecider EVERYTHING = decider(HttpRetryPolicy.builder()
            .retryOn(RetryOn.values()).statusCodes(429).header(HeaderMatch.present("x-retry"))
            .retryNonIdempotent(true));

    private static RetryDecider decider(HttpRetryPolicy.Builder builder) {
        return new RetryDecider(builder.build());
    }

    private static RetryDecider retryingOn(RetryOn... conditions) {
        return decider(HttpRetryPolicy.builder().retryOn(conditions));
    }

    private static RetryDecision get(RetryDecider decider, int status) {
        return decider.decide(FakeAttempt.response("GET", status), 0);
    }

    private static RetryDecision get(RetryDecider decider, FailureClass failure) {
        return decider.decide(FakeAttempt.failure("GET", failure, true), 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 501, 502, 503, 504, 599})
    void fiveXxRetriesEvery5xxResponse(int status) {
        assertThat(get(DEFAULT, status)).isEqualTo(RETRY_5XX);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 200, 204, 301, 400, 404, 409, 429, 499})
    void fiveXxDoesNotRetryOtherResponses(int status) {
        assertThat(get(DEFAULT, status)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void fiveXxAndGatewayErrorAlsoRetryWhenThereIsNoResponseAtAll() {
        for (RetryDecider decider : new RetryDecider[] {DEFAULT, retryingOn(RetryOn.GATEWAY_ERROR)}) {
            assertThat(get(decider, CONNECT_FAILURE)).isEqualTo(RETRY_CONNECT_FAILURE);
            assertThat(get(decider, RESET)).isEqualTo(RETRY_RESET);
            assertThat(get(decider, PER_TRY_TIMEOUT)).isEqualTo(RETRY_PER_TRY_TIMEOUT);
            assertThat(get(decider, REFUSED_STREAM)).isEqualTo(RETRY_REFUSED_STREAM);
        }
    }

    @Test
    void gatewayErrorRetriesOnly502503And504() {
        RetryDecider decider = retryingOn(RetryOn.GATEWAY_ERROR);

        assertThat(get(decider, 502)).isEqualTo(RETRY_GATEWAY_ERROR);
        assertThat(get(decider, 503)).isEqualTo(RETRY_GATEWAY_ERROR);
        assertThat(get(decider, 504)).isEqualTo(RETRY_GATEWAY_ERROR);
        assertThat(get(decider, 500)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, 501)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, 505)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void resetRetriesOnlyResetsAndPerTryTimeouts() {
        RetryDecider decider = retryingOn(RetryOn.RESET);

        assertThat(get(decider, RESET)).isEqualTo(RETRY_RESET);
        assertThat(get(decider, PER_TRY_TIMEOUT)).isEqualTo(RETRY_PER_TRY_TIMEOUT);
        assertThat(get(decider, CONNECT_FAILURE)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, REFUSED_STREAM)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, 503)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void connectFailureRetriesOnlyConnectionsThatCouldNotBeMade() {
        RetryDecider decider = retryingOn(RetryOn.CONNECT_FAILURE);

        assertThat(get(decider, CONNECT_FAILURE)).isEqualTo(RETRY_CONNECT_FAILURE);
        assertThat(get(decider, RESET)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, PER_TRY_TIMEOUT)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, REFUSED_STREAM)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, 503)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void refusedStreamRetriesOnlyRefusedStreams() {
        RetryDecider decider = retryingOn(RetryOn.REFUSED_STREAM);

        assertThat(get(decider, REFUSED_STREAM)).isEqualTo(RETRY_REFUSED_STREAM);
        assertThat(get(decider, RESET)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, CONNECT_FAILURE)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, 503)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void retriable4xxRetriesOnly409AsEnvoyDoes() {
        RetryDecider decider = retryingOn(RetryOn.RETRIABLE_4XX);

        assertThat(get(decider, 409)).isEqualTo(RETRY_RETRIABLE_4XX);
        for (int status : new int[] {400, 404, 408, 429, 499, 503}) {
            assertThat(get(decider, status)).as("status %d", status).isEqualTo(NO_RETRY_SUCCESS);
        }
        assertThat(get(decider, RESET)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void retriableStatusCodesRetriesOnlyTheListedCodes() {
        RetryDecider decider = decider(HttpRetryPolicy.builder()
                .retryOn(RetryOn.RETRIABLE_STATUS_CODES).statusCodes(429, 503));

        assertThat(get(decider, 429)).isEqualTo(RETRY_STATUS_CODE);
        assertThat(get(decider, 503)).isEqualTo(RETRY_STATUS_CODE);
        assertThat(get(decider, 500)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, 502)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, CONNECT_FAILURE)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(get(decider, RESET)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void theMostSpecificMatchingConditionIsTheReason() {
        RetryDecider decider = decider(HttpRetryPolicy.builder()
                .retryOn(RetryOn.FIVE_XX, RetryOn.GATEWAY_ERROR, RetryOn.RETRIABLE_4XX, RetryOn.RETRIABLE_STATUS_CODES)
                .statusCodes(503, 409));

        assertThat(get(decider, 503)).isEqualTo(RETRY_STATUS_CODE);
        assertThat(get(decider, 409)).isEqualTo(RETRY_STATUS_CODE);
        assertThat(get(decider, 502)).isEqualTo(RETRY_GATEWAY_ERROR);
        assertThat(get(decider, 500)).isEqualTo(RETRY_5XX);
    }

    @Test
    void retriableHeadersRetriesWhateverTheStatusWhenAnyValueMatches() {
        RetryDecider decider = decider(HttpRetryPolicy.builder()
                .retryOn(RetryOn.RETRIABLE_HEADERS)
                .header(HeaderMatch.exact("x-ms-retriable", "true"))
                .header(HeaderMatch.regex("x-state", "busy|throttled")));

        assertThat(decider.decide(FakeAttempt.response("GET", 200).header("X-MS-Retriable", "true"), 0))
                .isEqualTo(RETRY_HEADER);
        assertThat(decider.decide(FakeAttempt.response("GET", 400).header("x-state", "idle").header("x-state", "busy"), 0))
                .isEqualTo(RETRY_HEADER);
        assertThat(decider.decide(FakeAttempt.response("GET", 200).header("x-ms-retriable", "TRUE"), 0))
                .isEqualTo(NO_RETRY_SUCCESS);
        assertThat(decider.decide(FakeAttempt.response("GET", 503).header("x-other", "true"), 0))
                .isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void headersAreReadOnlyWhenThePolicyHasHeaderMatchersAndTheStatusAloneIsNotRetriable() {
        FakeAttempt withHeader = FakeAttempt.response("GET", 200).header("x-retry", "1");
        DEFAULT.decide(withHeader, 0);
        assertThat(withHeader.headerLookups).isZero();

        FakeAttempt retriableStatus = FakeAttempt.response("GET", 503);
        EVERYTHING.decide(retriableStatus, 0);
        assertThat(retriableStatus.headerLookups).isZero();

        FakeAttempt failure = FakeAttempt.failure("GET", OTHER, true).header("x-retry", "1");
        assertThat(EVERYTHING.decide(failure, 0)).isEqualTo(NO_RETRY_OTHER);
        assertThat(failure.headerLookups).isZero();

        FakeAttempt ok = FakeAttempt.response("GET", 200).header("x-retry", "1");
        assertThat(EVERYTHING.decide(ok, 0)).isEqualTo(RETRY_HEADER);
        assertThat(ok.headerLookups).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({
        "CANCELLED, NO_RETRY_CANCELLED",
        "DEADLINE_EXCEEDED, NO_RETRY_DEADLINE",
        "LOCAL_REJECTION, NO_RETRY_LOCAL_REJECTION",
        "TLS_FAILURE, NO_RETRY_TLS_FAILURE",
        "OTHER, NO_RETRY_OTHER",
    })
    void someFailuresAreNeverRetriedWhateverThePolicy(FailureClass failure, RetryDecision expected) {
        for (boolean dispatched : new boolean[] {true, false}) {
            assertThat(EVERYTHING.decide(FakeAttempt.failure("GET", failure, dispatched), 0)).isEqualTo(expected);
            assertThat(DEFAULT.decide(FakeAttempt.failure("GET", failure, dispatched), 0)).isEqualTo(expected);
        }
        assertThat(expected.retry()).isFalse();
    }

    @Test
    void neverRetriedFailuresWinOverAnExhaustedCount() {
        assertThat(DEFAULT.decide(FakeAttempt.failure("GET", CANCELLED, true), 99)).isEqualTo(NO_RETRY_CANCELLED);
        assertThat(DEFAULT.decide(FakeAttempt.failure("GET", DEADLINE_EXCEEDED, true), 99)).isEqualTo(NO_RETRY_DEADLINE);
        assertThat(DEFAULT.decide(FakeAttempt.failure("GET", LOCAL_REJECTION, false), 99))
                .isEqualTo(NO_RETRY_LOCAL_REJECTION);
        assertThat(DEFAULT.decide(FakeAttempt.failure("GET", TLS_FAILURE, false), 99)).isEqualTo(NO_RETRY_TLS_FAILURE);
    }

    @Test
    void stopsOnceEveryRetryIsUsed() {
        RetryDecider decider = decider(HttpRetryPolicy.builder().maxRetries(2));

        assertThat(decider.decide(FakeAttempt.response("GET", 503), 0)).isEqualTo(RETRY_5XX);
        assertThat(decider.decide(FakeAttempt.response("GET", 503), 1)).isEqualTo(RETRY_5XX);
        assertThat(decider.decide(FakeAttempt.response("GET", 503), 2)).isEqualTo(NO_RETRY_EXHAUSTED);
        assertThat(decider.decide(FakeAttempt.failure("GET", CONNECT_FAILURE, false), 2)).isEqualTo(NO_RETRY_EXHAUSTED);
    }

    @Test
    void zeroRetriesMeansEveryRetriableOutcomeIsExhausted() {
        RetryDecider decider = decider(HttpRetryPolicy.builder().maxRetries(0));

        assertThat(decider.decide(FakeAttempt.response("GET", 503), 0)).isEqualTo(NO_RETRY_EXHAUSTED);
        assertThat(decider.decide(FakeAttempt.response("GET", 200), 0)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void aNonRetriableOutcomeIsReportedAsSuchEvenWhenRetriesAreUsedUp() {
        assertThat(DEFAULT.decide(FakeAttempt.response("POST", 200), 3)).isEqualTo(NO_RETRY_SUCCESS);
    }

    @Test
    void exhaustionIsReportedBeforeIdempotency() {
        assertThat(DEFAULT.decide(FakeAttempt.response("POST", 503), 3)).isEqualTo(NO_RETRY_EXHAUSTED);
    }

    @Test
    void retriesPostOnlyWhenNeverSent() {
        assertThat(DEFAULT.decide(FakeAttempt.failure("POST", CONNECT_FAILURE, true), 0)).isEqualTo(RETRY_CONNECT_FAILURE);
        assertThat(DEFAULT.decide(FakeAttempt.failure("POST", REFUSED_STREAM, true), 0)).isEqualTo(RETRY_REFUSED_STREAM);
        assertThat(DEFAULT.decide(FakeAttempt.failure("POST", RESET, false), 0)).isEqualTo(RETRY_RESET);
        assertThat(DEFAULT.decide(FakeAttempt.failure("PATCH", PER_TRY_TIMEOUT, false), 0))
                .isEqualTo(RETRY_PER_TRY_TIMEOUT);

        assertThat(DEFAULT.decide(FakeAttempt.failure("POST", RESET, true), 0)).isEqualTo(NO_RETRY_NOT_IDEMPOTENT);
        assertThat(DEFAULT.decide(FakeAttempt.failure("POST", PER_TRY_TIMEOUT, true), 0))
                .isEqualTo(NO_RETRY_NOT_IDEMPOTENT);
        assertThat(DEFAULT.decide(FakeAttempt.response("POST", 503), 0)).isEqualTo(NO_RETRY_NOT_IDEMPOTENT);
        assertThat(DEFAULT.decide(FakeAttempt.response("PATCH", 502), 0)).isEqualTo(NO_RETRY_NOT_IDEMPOTENT);
    }

    @Test
    void aResponseMeansTheRequestWasSentWhateverTheDispatchMarkerSays() {
        FakeAttempt response = FakeAttempt.response("POST", 503);
        response.dispatched = false;

        assertThat(DEFAULT.decide(response, 0)).isEqualTo(NO_RETRY_NOT_IDEMPOTENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    void retriesIdempotentMethodsAfterTheyWereSent(String method) {
        assertThat(DEFAULT.decide(FakeAttempt.response(method, 503), 0)).isEqualTo(RETRY_5XX);
        assertThat(DEFAULT.decide(FakeAttempt.failure(method, RESET, true), 0)).isEqualTo(RETRY_RESET);
        assertThat(RetryDecider.isIdempotent(method)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH", "CONNECT", "get", "Put", "PROPFIND", ""})
    void otherMethodsAreNotIdempotentAndMethodsAreCaseSensitive(String method) {
        assertThat(RetryDecider.isIdempotent(method)).isFalse();
        assertThat(DEFAULT.decide(FakeAttempt.response(method, 503), 0)).isEqualTo(NO_RETRY_NOT_IDEMPOTENT);
    }

    @Test
    void aNullMethodIsNotIdempotent() {
        assertThat(RetryDecider.isIdempotent(null)).isFalse();
    }

    @Test
    void retryNonIdempotentOrARequestOverrideAllowsRetryingAPostThatWasSent() {
        RetryDecider lenient = decider(HttpRetryPolicy.builder().retryNonIdempotent(true));

        assertThat(lenient.decide(FakeAttempt.response("POST", 503), 0)).isEqualTo(RETRY_5XX);
        assertThat(lenient.decide(FakeAttempt.failure("POST", RESET, true), 0)).isEqualTo(RETRY_RESET);
        assertThat(DEFAULT.decide(FakeAttempt.response("POST", 503).withOverride(), 0)).isEqualTo(RETRY_5XX);
        assertThat(DEFAULT.decide(FakeAttempt.failure("PATCH", RESET, true).withOverride(), 0)).isEqualTo(RETRY_RESET);
    }

    @Test
    void aBodyThatCannotBeSentTwiceIsSentOnceWhateverThePolicy() {
        RetryDecider lenient = decider(HttpRetryPolicy.builder().retryNonIdempotent(true));

        assertThat(DEFAULT.decide(FakeAttempt.response("PUT", 503).notRepeatable(), 0))
                .isEqualTo(NO_RETRY_BODY_NOT_REPEATABLE);
        assertThat(DEFAULT.decide(FakeAttempt.failure("PUT", RESET, true).notRepeatable(), 0))
                .isEqualTo(NO_RETRY_BODY_NOT_REPEATABLE);
        assertThat(DEFAULT.decide(FakeAttempt.response("POST", 503).notRepeatable(), 0))
                .isEqualTo(NO_RETRY_BODY_NOT_REPEATABLE);
        assertThat(lenient.decide(FakeAttempt.response("POST", 503).notRepeatable().withOverride(), 0))
                .isEqualTo(NO_RETRY_BODY_NOT_REPEATABLE);
    }

    @Test
    void aBodyThatWasNeverSentCanStillBeRetried() {
        assertThat(DEFAULT.decide(FakeAttempt.failure("POST", CONNECT_FAILURE, true).notRepeatable(), 0))
                .isEqualTo(RETRY_CONNECT_FAILURE);
        assertThat(DEFAULT.decide(FakeAttempt.failure("PUT", RESET, false).notRepeatable(), 0)).isEqualTo(RETRY_RESET);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 99, 600, 999, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void statusesOutsideTheHttpRangeAreNotRetriableByStatusButMayMatchHeaders(int status) {
        assertThat(get(EVERYTHING, status)).isEqualTo(NO_RETRY_SUCCESS);
        assertThat(EVERYTHING.decide(FakeAttempt.response("GET", status).header("x-retry", ""), 0))
                .isEqualTo(RETRY_HEADER);
    }

    @Test
    void retryAfterReplacesTheBackoffWhenUsableAndWithinTheCap() {
        long now = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

        assertThat(DEFAULT.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "5"), now))
                .isEqualTo(5_000_000_000L);
        assertThat(DEFAULT.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "60"), now))
                .isEqualTo(60_000_000_000L);
        assertThat(DEFAULT.retryAfterNanos(
                FakeAttempt.response("GET", 503).header("Retry-After", "Sun, 01 Mar 2026 12:00:30 GMT"), now))
                .isEqualTo(30_000_000_000L);
        assertThat(DEFAULT.retryAfterNanos(
                FakeAttempt.response("GET", 503).header("Retry-After", "Sun, 01 Mar 2026 11:00:00 GMT"), now))
                .isZero();
    }

    @Test
    void retryAfterIsIgnoredWhenAboveTheCapUnusableAbsentOffOrWithoutResponse() {
        long now = 0;
        RetryDecider off = decider(HttpRetryPolicy.builder().retryAfter(false));

        assertThat(DEFAULT.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "61"), now))
                .isEqualTo(-1);
        assertThat(DEFAULT.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "soon"), now))
                .isEqualTo(-1);
        assertThat(DEFAULT.retryAfterNanos(FakeAttempt.response("GET", 503), now)).isEqualTo(-1);
        assertThat(off.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "5"), now)).isEqualTo(-1);
        assertThat(DEFAULT.retryAfterNanos(FakeAttempt.failure("GET", RESET, true).header("Retry-After", "5"), now))
                .isEqualTo(-1);
    }

    @Test
    void theFirstRetryAfterValueCounts() {
        FakeAttempt attempt = FakeAttempt.response("GET", 429).header("Retry-After", "2").header("Retry-After", "7");

        assertThat(DEFAULT.retryAfterNanos(attempt, 0)).isEqualTo(2_000_000_000L);
    }

    @Test
    void aSubMillisecondCapIsComparedInNanoseconds() {
        RetryDecider tiny = decider(HttpRetryPolicy.builder().maxRetryAfter(Duration.ofNanos(500_000))
                .backoff(Duration.ofNanos(1), Duration.ofNanos(1)));

        assertThat(tiny.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "0"), 0)).isZero();
        assertThat(tiny.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "1"), 0)).isEqualTo(-1);
    }

    @Test
    void aHugeCapStillAcceptsOnlyPlausibleWaits() {
        RetryDecider huge = decider(HttpRetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(Long.MAX_VALUE)));

        assertThat(huge.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "31536000"), 0))
                .isEqualTo(31_536_000_000_000_000L);
        assertThat(huge.retryAfterNanos(FakeAttempt.response("GET", 503).header("Retry-After", "31536001"), 0))
                .isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(RetryDecision.class)
    void retryDecisionsCarryAStableLowerCaseReason(RetryDecision decision) {
        assertThat(decision.reason()).isNotBlank().isEqualTo(decision.reason().toLowerCase(java.util.Locale.ROOT));
        assertThat(decision.retry()).isEqualTo(decision.name().startsWith("RETRY_"));
    }

    @Test
    void retryReasonsNameTheConditionOrFailure() {
        assertThat(RETRY_5XX.reason()).isEqualTo("5xx");
        assertThat(RETRY_GATEWAY_ERROR.reason()).isEqualTo("gateway-error");
        assertThat(RETRY_RESET.reason()).isEqualTo("reset");
        assertThat(RETRY_CONNECT_FAILURE.reason()).isEqualTo("connect-failure");
        assertThat(RETRY_PER_TRY_TIMEOUT.reason()).isEqualTo("per-try-timeout");
        assertThat(RETRY_RETRIABLE_4XX.reason()).isEqualTo("retriable-4xx");
        assertThat(RETRY_REFUSED_STREAM.reason()).isEqualTo("refused-stream");
        assertThat(RETRY_STATUS_CODE.reason()).isEqualTo("retriable-status-codes");
        assertThat(RETRY_HEADER.reason()).isEqualTo("retriable-headers");
        assertThat(NO_RETRY_SUCCESS.reason()).isEqualTo("not retriable");
        assertThat(NO_RETRY_EXHAUSTED.reason()).isEqualTo("retries exhausted");
        assertThat(NO_RETRY_NOT_IDEMPOTENT.reason()).isEqualTo("non-idempotent request may have been processed");
        assertThat(NO_RETRY_BODY_NOT_REPEATABLE.reason()).isEqualTo("request body is not repeatable");
        assertThat(NO_RETRY_CANCELLED.reason()).isEqualTo("cancelled");
        assertThat(NO_RETRY_DEADLINE.reason()).isEqualTo("deadline exceeded");
        assertThat(NO_RETRY_LOCAL_REJECTION.reason()).isEqualTo("local rejection");
        assertThat(NO_RETRY_TLS_FAILURE.reason()).isEqualTo("tls failure");
        assertThat(NO_RETRY_OTHER.reason()).isEqualTo("other failure");
    }

    @Test
    void neverDispatchedFailureClassesAreConnectFailureAndRefusedStream() {
        for (FailureClass failure : FailureClass.values()) {
            assertThat(failure.neverDispatched()).as(failure.name())
                    .isEqualTo(failure == CONNECT_FAILURE || failure == REFUSED_STREAM);
        }
    }
}
