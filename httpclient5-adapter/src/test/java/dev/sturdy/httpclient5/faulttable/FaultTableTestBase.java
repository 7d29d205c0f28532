package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.FaultCase;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every fault-table test class shares, so each one only says which rows it runs and with which
 * client: one {@link FaultTableHarness} per class (its shared fixtures started once, closed after the
 * last row), and the parameterized test that verifies each row. A subclass passes its rows and its
 * runner to the constructor. One instance per class, so the rows come from an instance method.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FaultTableTestBase {

    private final Supplier<Stream<FaultCase>> cases;
    private final FaultCaseRunner runner;
    private FaultTableHarness harness;

    /**
     * @param cases  the rows, with the expectations for this client and transport
     * @param runner the client under test (it opens a fresh client per row)
     */
    protected FaultTableTestBase(Supplier<Stream<FaultCase>> cases, FaultCaseRunner runner) {
        this.cases = cases;
        this.runner = runner;
    }

    /** The rows, for {@code @MethodSource}. */
    protected final Stream<FaultCase> cases() {
        return cases.get();
    }

    /** The client under test. */
    protected FaultCaseRunner runner() {
        return runner;
    }

    @BeforeAll
    void startSharedFixtures() {
        harness = new FaultTableHarness();
    }

    @AfterAll
    void stopSharedFixtures() {
        harness.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void clientFollowsTheSpecUnderFault(FaultCase faultCase) throws Exception {
        harness.verify(faultCase, runner);
    }
}
