package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.FaultCase;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The rows of the fault table, for any client: a client's runner passes what that client throws for
 * each fault that produces no response ({@link FaultScenario#classicFailure()} for the classic client).
 */
public final class FaultTable {

    /** The methods of the grid: a safe one, an idempotent one with a body, a non-idempotent one. */
    public static final List<String> METHODS = List.of("GET", "PUT", "POST");

    private FaultTable() {
    }

    /** Every row: the grid, then the request-variant rows. */
    public static Stream<FaultCase> cases(Function<FaultScenario, ExpectedOutcome.Failure> failures) {
        return cases(failures, FaultScenario::connectionsPerAttempt);
    }

    /**
     * Every row, for a transport whose exceptions and connection use differ from HTTP/1.1 classic's.
     *
     * @param failures              what the client throws for each fault that produces no response
     * @param connectionsPerAttempt connections the server accepts per attempt, where deterministic
     */
    public static Stream<FaultCase> cases(Function<FaultScenario, ExpectedOutcome.Failure> failures,
                                          Function<FaultScenario, OptionalInt> connectionsPerAttempt) {
        return Stream.concat(grid(failures, connectionsPerAttempt), requestVariants(failures, connectionsPerAttempt));
    }

    /** Every fault x GET, PUT, POST x every retry setting, with plain requests. */
    public static Stream<FaultCase> grid(Function<FaultScenario, ExpectedOutcome.Failure> failures,
                                         Function<FaultScenario, OptionalInt> connectionsPerAttempt) {
        return Stream.of(RetrySetting.values()).flatMap(retry -> Stream.of(FaultScenario.values())
                .flatMap(fault -> METHODS.stream().map(method -> FaultCase.of(fault, method, retry,
                        RequestVariant.PLAIN, failures, connectionsPerAttempt))));
    }

    /**
     * Every fault under {@code retryOn 5xx} with: a POST carrying the request-level override; a PUT and a
     * POST whose body is a one-shot stream; and a one-shot POST with the override (the body still decides).
     */
    public static Stream<FaultCase> requestVariants(Function<FaultScenario, ExpectedOutcome.Failure> failures,
                                                    Function<FaultScenario, OptionalInt> connectionsPerAttempt) {
        return Stream.of(FaultScenario.values()).flatMap(fault -> Stream.of(
                FaultCase.of(fault, "POST", RetrySetting.FIVE_XX, RequestVariant.OVERRIDE, failures,
                        connectionsPerAttempt),
                FaultCase.of(fault, "PUT", RetrySetting.FIVE_XX, RequestVariant.NON_REPEATABLE, failures,
                        connectionsPerAttempt),
                FaultCase.of(fault, "POST", RetrySetting.FIVE_XX, RequestVariant.NON_REPEATABLE, failures,
                        connectionsPerAttempt),
                FaultCase.of(fault, "POST", RetrySetting.FIVE_XX, RequestVariant.NON_REPEATABLE_OVERRIDE, failures,
                        connectionsPerAttempt)));
    }
}
