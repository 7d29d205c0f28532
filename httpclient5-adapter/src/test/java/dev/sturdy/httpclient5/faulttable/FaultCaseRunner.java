package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.ResilienceMetrics;

/**
 * Runs fault-table requests through one kind of client (classic, async ...): the only part of the
 * table that knows the client. A runner for another client implements this, maps each fault to the
 * exception that client throws ({@link FaultTable#cases(java.util.function.Function)}), and reuses the
 * whole table and {@link FaultTableHarness}.
 */
public interface FaultCaseRunner {

    /**
     * Builds a client with the policy. It trusts the {@linkplain TestTls test certificate}, and waits
     * before retries take no real time (a no-op sleeper).
     */
    Client open(ResiliencePolicy policy);

    /**
     * Starts the server side of {@code scenario} for this runner's transport. By default the scenario's
     * own fixture (HTTP/1.1, or a transport-level one for connect-phase faults); an HTTP/2 runner plays
     * the same fault over HTTP/2 ({@link Http2Faults}).
     */
    default FaultEndpoint start(FaultScenario scenario, SharedFixtures shared) {
        return scenario.start(shared);
    }

    /** One client, used for one case. */
    interface Client extends AutoCloseable {

        /**
         * Sends the request once (the client retries as its policy says), reads the body of the response
         * to the end inside the call, and reports what the caller saw. Never throws for the call's failure.
         */
        Observed send(CaseRequest request);

        /** The client's counters. */
        ResilienceMetrics metrics();

        /** The client's pool and in-flight state right now. */
        Quiescence quiescence();

        @Override
        void close() throws Exception;
    }

    /**
     * Leased and pending connections of the pool, calls and retries in flight: all 0 once a call has ended.
     */
    record Quiescence(int leased, int pending, int callsInFlight, int retriesInFlight) {

        public boolean idle() {
            return leased == 0 && pending == 0 && callsInFlight == 0 && retriesInFlight == 0;
        }
    }
}
