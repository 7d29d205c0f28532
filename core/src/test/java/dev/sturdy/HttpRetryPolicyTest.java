package dev.sturdy;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class HttpRetryPolicyTest {

    @Test
    void defaultsAreThreeRetriesOneToTenSecondsOn5xxWithRetryAfterAndBudget() {
        HttpRetryPolicy policy = HttpRetryPolicy.defaults();

        assertThat(policy.maxRetries()).isEqualTo(3).isEqualTo(HttpRetryPolicy.DEFAULT_MAX_RETRIES);
        assertThat(policy.initialDelay()).isEqualTo(ofSeconds(1)).isEqualTo(HttpRetryPolicy.DEFAULT_INITIAL_DELAY);
        assertThat(policy.maxInterval()).isEqualTo(ofSeconds(10)).isEqualTo(HttpRetryPolicy.DEFAULT_MAX_INTERVAL);
        assertThat(policy.retryOn()).containsExactly(RetryOn.FIVE_XX).isEqualTo(HttpRetryPolicy.DEFAULT_RETRY_ON);
        assertThat(policy.statusCodes()).isEmpty();
        assertThat(policy.headers()).isEmpty();
        assertThat(policy.respectRetryAfter()).isTrue();
        assertThat(policy.maxRetryAfter()).isEqualTo(ofSeconds(60)).isEqualTo(HttpRetryPolicy.DEFAULT_MAX_RETRY_AFTER);
        assertThat(policy.retryNonIdempotent()).isFalse();
        assertThat(policy.budget()).isEqualTo(RetryBudget.of(20, 3)).isEqualTo(HttpRetryPolicy.DEFAULT_BUDGET);
        assertThat(HttpRetryPolicy.builder().build()).isEqualTo(policy);
    }

    @Test
    void retryOnReplacesTheSetAndIteratesInDeclarationOrder() {
        HttpRetryPolicy policy = HttpRetryPolicy.builder()
                .retryOn(RetryOn.REFUSED_STREAM, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM)
                .build();

        assertThat(policy.retryOn()).containsExactly(RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM);
        assertThat(policy.retries(RetryOn.CONNECT_FAILURE)).isTrue();
        assertThat(policy.retries(RetryOn.FIVE_XX)).isFalse();
    }

    @Test
    void statusCodesAreSortedDeduplicatedAndReplacedBySetter() {
        HttpRetryPolicy policy = HttpRetryPolicy.builder()
                .retryOn(RetryOn.RETRIABLE_STATUS_CODES)
                .statusCodes(418)
                .statusCodes(599, 100, 503, 503)
                .build();

        assertThat(policy.statusCodes()).containsExactly(100, 503, 599);
    }

    @Test
    void statusCodesMayComeBeforeTheConditionThatNeedsThem() {
        HttpRetryPolicy policy = HttpRetryPolicy.builder().statusCodes(429).retryOn(RetryOn.RETRIABLE_STATUS_CODES).build();

        assertThat(policy.statusCodes()).containsExactly(429);
    }

    @Test
    void headerAppendsAndHeadersReplaces() {
        HeaderMatch first = HeaderMatch.exact("x-ms-retriable", "true");
        HeaderMatch second = HeaderMatch.present("retry-after");
        HeaderMatch third = HeaderMatch.prefix("x-b", "b");

        HttpRetryPolicy appended = HttpRetryPolicy.builder().retryOn(RetryOn.RETRIABLE_HEADERS)
                .header(first).header(second).build();
        HttpRetryPolicy replaced = appended.toBuilder().headers(List.of(third)).build();

        assertThat(appended.headers()).containsExactly(first, second);
        assertThat(replaced.headers()).containsExactly(third);
    }

    @Test
    void collectionsAreUnmodifiableAndDetachedFromTheirSources() {
        List<HeaderMatch> source = new ArrayList<>(List.of(HeaderMatch.present("x-a")));
        HttpRetryPolicy policy = HttpRetryPolicy.builder()
                .retryOn(RetryOn.RETRIABLE_HEADERS, RetryOn.RETRIABLE_STATUS_CODES)
                .statusCodes(503)
                .headers(source)
                .build();
        source.add(HeaderMatch.present("x-b"));

        assertThat(policy.headers()).containsExactly(HeaderMatch.present("x-a"));
        assertThatThrownBy(() -> policy.headers().add(HeaderMatch.present("x-c")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> policy.retryOn().add(RetryOn.RESET)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> policy.statusCodes().add(500)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> HttpRetryPolicy.DEFAULT_RETRY_ON.add(RetryOn.RESET))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void backoffSetsBaseAndCapTogetherAndAcceptsThemEqual() {
        HttpRetryPolicy policy = HttpRetryPolicy.builder().backoff(ofMillis(25), ofMillis(25)).build();

        assertThat(policy.initialDelay()).isEqualTo(ofMillis(25));
        assertThat(policy.maxInterval()).isEqualTo(ofMillis(25));
    }

    @Test
    void checksBaseAgainstCapOnlyAtBuildSoSetterOrderDoesNotMatter() {
        HttpRetryPolicy policy = HttpRetryPolicy.builder().initialDelay(ofSeconds(30)).maxInterval(ofSeconds(60)).build();

        assertThat(policy.initialDelay()).isEqualTo(ofSeconds(30));
    }

    @Test
    void zeroRetriesIsAllowed() {
        assertThat(HttpRetryPolicy.builder().maxRetries(0).build().maxRetries()).isZero();
    }

    @Test
    void toStringShowsEverySetting() {
        assertThat(HttpRetryPolicy.defaults()).hasToString("HttpRetryPolicy{maxRetries=3, initialDelay=PT1S, "
                + "maxInterval=PT10S, retryOn=[5xx], statusCodes=[], headers=[], respectRetryAfter=true, "
                + "maxRetryAfter=PT1M, retryNonIdempotent=false, "
                + "budget=RetryBudget{percent=20.0, minRetryConcurrency=3}}");
        HttpRetryPolicy custom = HttpRetryPolicy.builder()
                .maxRetries(5).backoff(ofMillis(100), ofSeconds(2))
                .retryOn(RetryOn.RETRIABLE_HEADERS, RetryOn.RETRIABLE_STATUS_CODES, RetryOn.CONNECT_FAILURE)
                .statusCodes(503, 502)
                .header(HeaderMatch.exact("X-MS-Retriable", "true"))
                .retryAfter(false).maxRetryAfter(ofSeconds(5)).retryNonIdempotent(true)
                .budget(RetryBudget.unlimited())
                .build();
        assertThat(custom).hasToString("HttpRetryPolicy{maxRetries=5, initialDelay=PT0.1S, maxInterval=PT2S, "
                + "retryOn=[connect-failure, retriable-status-codes, retriable-headers], statusCodes=[502, 503], "
                + "headers=[x-ms-retriable exact \"true\"], respectRetryAfter=false, maxRetryAfter=PT5S, "
                + "retryNonIdempotent=true, budget=RetryBudget{percent=100.0, minRetryConcurrency=unlimited}}");
    }

    @Test
    void everyFieldTakesPartInEquality() {
        List<UnaryOperator<HttpRetryPolicy.Builder>> changes = List.of(
                b -> b.maxRetries(4),
                b -> b.initialDelay(ofSeconds(2)),
                b -> b.maxInterval(ofSeconds(11)),
                b -> b.retryOn(RetryOn.GATEWAY_ERROR),
                b -> b.retryOn(RetryOn.FIVE_XX, RetryOn.RETRIABLE_STATUS_CODES).statusCodes(429),
                b -> b.retryOn(RetryOn.FIVE_XX, RetryOn.RETRIABLE_HEADERS).header(HeaderMatch.present("x-a")),
                b -> b.retryAfter(false),
                b -> b.maxRetryAfter(ofSeconds(61)),
                b -> b.retryNonIdempotent(true),
                b -> b.budget(RetryBudget.of(20, 4)));

        PolicyEquality.assertEveryChangeMatters(HttpRetryPolicy.defaults(), HttpRetryPolicy::toBuilder,
                HttpRetryPolicy.Builder::build, changes);
    }

    @Test
    void differentStatusCodesOrHeadersMakeDifferentPolicies() {
        HttpRetryPolicy codes = HttpRetryPolicy.builder().retryOn(RetryOn.RETRIABLE_STATUS_CODES).statusCodes(429).build();
        HttpRetryPolicy headers = HttpRetryPolicy.builder().retryOn(RetryOn.RETRIABLE_HEADERS)
                .header(HeaderMatch.exact("x-a", "1")).build();

        assertThat(codes.toBuilder().statusCodes(503).build()).isNotEqualTo(codes);
        assertThat(headers.toBuilder().headers(List.of(HeaderMatch.exact("x-a", "2"))).build()).isNotEqualTo(headers);
        assertThat(headers.toBuilder().headers(List.of(HeaderMatch.exact("X-A", "1"))).build()).isEqualTo(headers);
    }
}
