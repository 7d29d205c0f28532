package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.faulttable.ExpectedOutcome;
import dev.sturdy.httpclient5.faulttable.FaultPhase;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.faulttable.RequestVariant;
import dev.sturdy.httpclient5.faulttable.RetrySetting;
import dev.sturdy.httpclient5.faulttable.SpecOracle;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * One row of the fault table: a fault every attempt meets, the request, the retry setting, and what
 * must happen, as data. Built by {@link #of}, which asks the {@link SpecOracle} (SPEC 2.2 and 2.5), so
 * the expectations never come from the code under test. Client- and transport-neutral: the classic,
 * async HTTP/1.1 and async HTTP/2 table tests run the same rows.
 *
 * @param scenario               the fault
 * @param method                 GET, PUT or POST
 * @param retry                  the retry setting
 * @param variant                body repeatability and the request-level override
 * @param expectedAttempts       HTTP attempts the client makes (TCP connect retries not counted)
 * @param expectedServerRequests requests that reach the server (read, or reset unread); 0 when the
 *                               fault strikes before the request can be sent
 * @param expectedConnections    connections the server accepts, where that is deterministic
 * @param expected               the status returned or the exception thrown
 */
public record FaultCase(FaultScenario scenario, String method, RetrySetting retry, RequestVariant variant,
                        int expectedAttempts, int expectedServerRequests, OptionalInt expectedConnections,
                        ExpectedOutcome expected) {

    /**
     * The row for these inputs, with the expectations the spec implies.
     *
     * @param failures what the client under test throws for a fault that produces no response (e.g.
     *                 {@link FaultScenario#classicFailure()}); the only client-specific expectation
     */
    public static FaultCase of(FaultScenario scenario, String method, RetrySetting retry, RequestVariant variant,
                               Function<FaultScenario, ExpectedOutcome.Failure> failures) {
        return of(scenario, method, retry, variant, failures, FaultScenario::connectionsPerAttempt);
    }

    /**
     * The row for these inputs on a transport whose connection use differs from HTTP/1.1's.
     *
     * @param connectionsPerAttempt connections the server accepts per attempt where that is deterministic
     *                              on the transport (empty where connections are reused)
     */
    public static FaultCase of(FaultScenario scenario, String method, RetrySetting retry, RequestVariant variant,
                               Function<FaultScenario, ExpectedOutcome.Failure> failures,
                               Function<FaultScenario, OptionalInt> connectionsPerAttempt) {
        int attempts = SpecOracle.attempts(scenario, method, retry, variant);
        int serverRequests = scenario.phase() == FaultPhase.CONNECT ? 0 : attempts;
        OptionalInt perAttempt = connectionsPerAttempt.apply(scenario);
        OptionalInt connections = perAttempt.isPresent()
                ? OptionalInt.of(attempts * perAttempt.getAsInt())
                : OptionalInt.empty();
        ExpectedOutcome expected = scenario.phase() == FaultPhase.RESPONSE
                ? new ExpectedOutcome.Status(scenario.status())
                : failures.apply(scenario);
        return new FaultCase(scenario, method, retry, variant, attempts, serverRequests, connections, expected);
    }

    /** The policy the client is built with: the scenario's timeouts and the retry setting. */
    public ResiliencePolicy policy() {
        ResiliencePolicy.Builder builder = ResiliencePolicy.builder().timeouts(scenario.timeouts());
        retry.policy().ifPresent(builder::retry);
        return builder.build();
    }

    /**
     * SPEC 2.5 restated for the explicit POST check: a POST may reach the server twice only when the
     * policy or the request-level override allows it and its body can be sent twice.
     */
    public boolean postMayReachServerTwice() {
        return (retry.retryNonIdempotent() || variant.retryNonIdempotentOverride()) && variant.repeatableBody();
    }

    /** The display name: setting, request, fault, and what must happen. */
    @Override
    public String toString() {
        String reached = scenario.phase() == FaultPhase.CONNECT
                ? expectedAttempts + (expectedAttempts == 1 ? " attempt" : " attempts") + ", none reached the server"
                : expectedServerRequests + (expectedServerRequests == 1 ? " request" : " requests");
        return retry + " | " + method + variant.label() + " | " + scenario + " -> " + reached + ", " + expected;
    }
}
