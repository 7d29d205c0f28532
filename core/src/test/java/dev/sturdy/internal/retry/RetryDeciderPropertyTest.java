package dev.sturdy.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.RandomPolicies;
import dev.sturdy.RetryOn;
import dev.sturdy.Seeds;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link RetryDecider} with a deliberately naive oracle written from SPEC sections 2.2 and 2.5
 * (no tables, no precedence tricks) over random policies and attempts.
 */
class RetryDeciderPropertyTest {

    private static final String[] METHODS = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PATCH",
        "CONNECT", "get", "post"};
    private static final List<String> IDEMPOTENT = List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    private static final FailureClass[] FAILURES = FailureClass.values();

    @Test
    void everyStatusFrom100To599IsClassifiedAsItsRetryOnSetSays() {
        long seed = Seeds.seed("everyStatusFrom100To599IsClassifiedAsItsRetryOnSetSays");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 300; i++) {
            HttpRetryPolicy policy = randomPolicyWithoutHeaders(random);
            RetryDecider decider = new RetryDecider(policy);
            for (int status = 100; status <= 599; status++) {
                RetryDecision decision = decider.decide(FakeAttempt.response("GET", status), 0);

                boolean expected = policy.maxRetries() > 0 && retriableStatus(policy, status);
                String detail = policy + " status " + status + " -> " + decision;
                assertThat(decision.retry()).as(Seeds.describe(seed, detail)).isEqualTo(expected);
                if (decision.retry()) {
                    assertThat(matchingConditions(policy, status)).as(Seeds.describe(seed, detail))
                            .contains(decision.reason());
                } else if (!retriableStatus(policy, status)) {
                    assertThat(decision).as(Seeds.describe(seed, detail)).isEqualTo(RetryDecision.NO_RETRY_SUCCESS);
                }
            }
        }
    }

    @Test
    void decisionsAgreeWithANaiveOracleForRandomPoliciesAndAttempts() {
        long seed = Seeds.seed("decisionsAgreeWithANaiveOracleForRandomPoliciesAndAttempts");
        SplittableRandom random = new SplittableRandom(seed);
        for (int p = 0; p < 500; p++) {
            HttpRetryPolicy policy = RandomPolicies.httpRetryPolicy(random);
            RetryDecider decider = new RetryDecider(policy);
            for (int a = 0; a < 200; a++) {
                FakeAttempt attempt = randomAttempt(random);
                int retriesDone = random.nextInt(12);

                RetryDecision decision = decider.decide(attempt, retriesDone);

                String detail = policy + " | " + attempt + " | retriesDone " + retriesDone + " -> " + decision;
                assertThat(decision.retry()).as(Seeds.describe(seed, detail))
                        .isEqualTo(oracleRetries(policy, attempt, retriesDone));
                assertThat(decider.decide(attempt, retriesDone)).as(Seeds.describe(seed, "pure: " + detail))
                        .isSameAs(decision);
            }
        }
    }

    private static HttpRetryPolicy randomPolicyWithoutHeaders(SplittableRandom random) {
        HttpRetryPolicy policy;
        do {
            policy = RandomPolicies.httpRetryPolicy(random);
        } while (policy.retries(RetryOn.RETRIABLE_HEADERS));
        return policy;
    }

    private static FakeAttempt randomAttempt(SplittableRandom random) {
        String method = METHODS[random.nextInt(METHODS.length)];
        FakeAttempt attempt = random.nextInt(3) == 0
                ? FakeAttempt.failure(method, FAILURES[random.nextInt(FAILURES.length)], random.nextBoolean())
                : FakeAttempt.response(method, 100 + random.nextInt(500));
        if (attempt.failure == FailureClass.NONE) {
            attempt.status = 100 + random.nextInt(500);
            attempt.dispatched = random.nextBoolean();
        } else {
            attempt.status = -1;
        }
        attempt.bodyRepeatable = random.nextInt(4) != 0;
        attempt.override = random.nextInt(4) == 0;
        for (int i = random.nextInt(4); i > 0; i--) {
            attempt.header("x-h" + random.nextInt(4), "v" + random.nextInt(4) + (random.nextBoolean() ? "" : "7"));
        }
        return attempt;
    }

    // ---- the oracle: SPEC 2.2 and 2.5, written out longhand ----

    private static boolean oracleRetries(HttpRetryPolicy policy, FakeAttempt attempt, int retriesDone) {
        boolean retriableOutcome;
        switch (attempt.failure) {
            case NONE:
                retriableOutcome = retriableStatus(policy, attempt.status) || retriableHeaders(policy, attempt);
                break;
            case CONNECT_FAILURE:
                retriableOutcome = noResponseRetried(policy) || policy.retries(RetryOn.CONNECT_FAILURE);
                break;
            case RESET:
            case PER_TRY_TIMEOUT:
                retriableOutcome = noResponseRetried(policy) || policy.retries(RetryOn.RESET);
                break;
            case REFUSED_STREAM:
                retriableOutcome = noResponseRetried(policy) || policy.retries(RetryOn.REFUSED_STREAM);
                break;
            default: // cancelled, deadline, local rejection, TLS failure, other
                retriableOutcome = false;
        }
        if (!retriableOutcome || retriesDone >= policy.maxRetries()) {
            return false;
        }
        boolean provablyNeverSent = attempt.failure == FailureClass.CONNECT_FAILURE
                || attempt.failure == FailureClass.REFUSED_STREAM
                || (attempt.failure != FailureClass.NONE && !attempt.dispatched);
        if (provablyNeverSent) {
            return true;
        }
        return attempt.bodyRepeatable
                && (IDEMPOTENT.contains(attempt.method) || policy.retryNonIdempotent() || attempt.override);
    }

    private static boolean noResponseRetried(HttpRetryPolicy policy) {
        return policy.retries(RetryOn.FIVE_XX) || policy.retries(RetryOn.GATEWAY_ERROR);
    }

    private static boolean retriableStatus(HttpRetryPolicy policy, int status) {
        return !matchingConditions(policy, status).isEmpty();
    }

    private static Set<String> matchingConditions(HttpRetryPolicy policy, int status) {
        Set<String> matching = new java.util.HashSet<>();
        if (policy.retries(RetryOn.FIVE_XX) && status / 100 == 5) {
            matching.add("5xx");
        }
        if (policy.retries(RetryOn.GATEWAY_ERROR) && (status == 502 || status == 503 || status == 504)) {
            matching.add("gateway-error");
        }
        if (policy.retries(RetryOn.RETRIABLE_4XX) && status == 409) {
            matching.add("retriable-4xx");
        }
        if (policy.retries(RetryOn.RETRIABLE_STATUS_CODES) && policy.statusCodes().contains(status)) {
            matching.add("retriable-status-codes");
        }
        return matching;
    }

    private static boolean retriableHeaders(HttpRetryPolicy policy, FakeAttempt attempt) {
        if (!policy.retries(RetryOn.RETRIABLE_HEADERS)) {
            return false;
        }
        for (HeaderMatch match : policy.headers()) {
            for (String value : attempt.headers.getOrDefault(match.name(), List.of())) {
                if (naiveMatches(match, value)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Header values in this test are short, so the 8 KiB bound never applies. */
    private static boolean naiveMatches(HeaderMatch match, String value) {
        switch (match.kind()) {
            case EXACT:
                return value.equals(match.value());
            case PREFIX:
                return value.startsWith(match.value());
            case SUFFIX:
                return value.endsWith(match.value());
            case CONTAINS:
                return value.contains(match.value());
            case REGEX:
                return value.matches(match.value());
            default:
                return true;
        }
    }
}
