package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.RetryOn;
import java.util.Set;

/**
 * The expected behaviour of a fault case, written from SPEC.md alone (it never asks the code under test):
 * §2.2 says which outcomes a {@code retryOn} setting retries, §2.5 which requests may be sent again.
 */
public final class SpecOracle {

    /** SPEC 2.5: the idempotent methods (RFC 9110). */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private SpecOracle() {
    }

    /** The number of attempts a call makes when every attempt meets {@code fault}. */
    public static int attempts(FaultScenario fault, String method, RetrySetting retry, RequestVariant variant) {
        boolean retried = retry.retries() && retriable(retry, fault) && maySendAgain(fault, method, retry, variant);
        return retried ? retry.maxAttempts() : 1;
    }

    /** SPEC 2.2: whether the setting's {@code retryOn} covers the outcome of {@code fault}. */
    public static boolean retriable(RetrySetting retry, FaultScenario fault) {
        switch (fault.phase()) {
            case RESPONSE: {
                int status = fault.status();
                return (retry.has(RetryOn.FIVE_XX) && status >= 500 && status <= 599)
                        || (retry.has(RetryOn.GATEWAY_ERROR) && (status == 502 || status == 503 || status == 504))
                        || (retry.has(RetryOn.RETRIABLE_4XX) && status == 409) // Envoy: only 409
                        || (retry.has(RetryOn.RETRIABLE_STATUS_CODES) && retry.statusCodes().contains(status))
                        // retriable-headers: whatever the status, as Envoy
                        || (retry.has(RetryOn.RETRIABLE_HEADERS) && headerMatches(retry, fault));
            }
            case CONNECT: // no response at all: 5xx and gateway-error cover it, and connect-failure
                return retry.has(RetryOn.FIVE_XX) || retry.has(RetryOn.GATEWAY_ERROR)
                        || retry.has(RetryOn.CONNECT_FAILURE);
            case EXCHANGE: // no response at all: 5xx and gateway-error cover it, and reset
                return retry.has(RetryOn.FIVE_XX) || retry.has(RetryOn.GATEWAY_ERROR) || retry.has(RetryOn.RESET);
            case BODY: // the response was handed to the caller: nothing left to retry
                return false;
            default:
                throw new AssertionError(fault.phase());
        }
    }

    /** SPEC 2.5: whether the request may be sent again after {@code fault}. */
    public static boolean maySendAgain(FaultScenario fault, String method, RetrySetting retry, RequestVariant variant) {
        if (fault.phase() == FaultPhase.CONNECT) {
            return true; // provably never reached the server: any method, and the body was never read
        }
        if (hasBody(method) && !variant.repeatableBody()) {
            return false; // sent once, whatever the policy says
        }
        return IDEMPOTENT.contains(method) || retry.retryNonIdempotent() || variant.retryNonIdempotentOverride();
    }

    /** Whether the table sends a body with {@code method}. */
    public static boolean hasBody(String method) {
        return method.equals("PUT") || method.equals("POST");
    }

    /** An exact matcher: header name ignoring case, value case-sensitive; any value of a repeated header. */
    private static boolean headerMatches(RetrySetting retry, FaultScenario fault) {
        return retry.exactHeader()
                .map(h -> fault.headers().stream().anyMatch(f -> f.hasName(h[0]) && f.value().equals(h[1])))
                .orElse(false);
    }
}
