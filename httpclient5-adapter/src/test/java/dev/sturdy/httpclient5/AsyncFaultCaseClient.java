package dev.sturdy.httpclient5;

import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.httpclient5.faulttable.CaseRequest;
import dev.sturdy.httpclient5.faulttable.FaultCaseRunner;
import dev.sturdy.httpclient5.faulttable.Observed;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.hc.core5.pool.PoolStats;

/**
 * A {@link FaultCaseRunner.Client} assembled from what any sturdy client exposes (how it sends a case's
 * request, its counters, pool totals and in-flight gauges), so a runner only says how to send. Written
 * for the async runner (hence the name); the classic runner uses it too, as both clients expose the same.
 */
record AsyncFaultCaseClient(Function<CaseRequest, Observed> sender, Supplier<ResilienceMetrics> counters,
                            Supplier<PoolStats> pool, IntSupplier callsInFlight, IntSupplier retriesInFlight,
                            AutoCloseable closer) implements FaultCaseRunner.Client {

    @Override
    public Observed send(CaseRequest request) {
        return sender.apply(request);
    }

    @Override
    public ResilienceMetrics metrics() {
        return counters.get();
    }

    @Override
    public FaultCaseRunner.Quiescence quiescence() {
        PoolStats stats = pool.get();
        return new FaultCaseRunner.Quiescence(stats.getLeased(), stats.getPending(), callsInFlight.getAsInt(),
                retriesInFlight.getAsInt());
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
