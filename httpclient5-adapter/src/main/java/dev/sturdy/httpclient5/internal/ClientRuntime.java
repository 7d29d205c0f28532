package dev.sturdy.httpclient5.internal;

import dev.sturdy.EndpointGroup;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.internal.runtime.Counters;
import dev.sturdy.internal.runtime.DeadlineWatchdog;
import dev.sturdy.internal.runtime.RetryBudgetTracker;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;

/**
 * The live state of one sturdy client: its current policy, counters, retry budget and deadline
 * watchdog. Policies stay immutable; the current one is swapped atomically by replacing
 * {@link #state}. Closed with the client's connection manager.
 */
public final class ClientRuntime implements AutoCloseable {

    private volatile PolicyState state;
    final Seams seams;
    final Counters counters;
    final RetryBudgetTracker budget = new RetryBudgetTracker();
    final Endpoints endpoints;
    private final DeadlineWatchdog watchdog;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param policy the initial policy
     * @param seams  time, sleeping and randomness
     * @param groups the client's endpoint groups
     * @param poolCustomizer the client's changes to its pool builder (TLS strategy, DNS resolver ...),
     *                       applied to the pool of the health probes too
     */
    public ClientRuntime(ResiliencePolicy policy, Seams seams, List<EndpointGroup> groups,
                         Consumer<PoolingHttpClientConnectionManagerBuilder> poolCustomizer) {
        this(policy, seams, groups, (ProbeTransport.Factory) members -> new ClassicProbes(policy, poolCustomizer, members));
    }

    /**
     * @param policy the initial policy
     * @param seams  time, sleeping and randomness
     * @param groups the client's endpoint groups
     * @param probes builds the transport of the groups' health probes (only when one has a health check)
     */
    ClientRuntime(ResiliencePolicy policy, Seams seams, List<EndpointGroup> groups, ProbeTransport.Factory probes) {
        this.state = new PolicyState(policy);
        this.seams = seams;
        this.counters = new Counters(seams.ticker());
        this.endpoints = new Endpoints(policy, groups, seams, counters, probes);
        this.watchdog = new DeadlineWatchdog(seams.ticker(), seams.watchdogTickNanos());
    }

    PolicyState state() {
        return state;
    }

    /** @return the policy new calls use */
    public ResiliencePolicy policy() {
        return state.policy;
    }

    /**
     * Makes new calls use another policy; calls in flight finish with the one they started with.
     *
     * @param policy the new policy
     */
    public void swapPolicy(ResiliencePolicy policy) {
        this.state = new PolicyState(policy);
    }

    /** @return the client's counters */
    public Counters counters() {
        return counters;
    }

    /** @return the retry budget's live state */
    public RetryBudgetTracker budget() {
        return budget;
    }

    /** @return the deadline watchdog's latest tick time ({@link DeadlineWatchdog#lastTickNanos()}) */
    long watchdogNowNanos() {
        return watchdog.lastTickNanos();
    }

    void watch(DeadlineWatchdog.Entry call) {
        watchdog.register(call);
    }

    /**
     * Starts the background work of ejection and health checks now rather than with the first call
     * (health checks should probe from the start). Idempotent.
     */
    public void startEndpoints() {
        endpoints.start();
    }

    /** @return true while the deadline thread runs (false after {@link #close()}) */
    public boolean isRunning() {
        return watchdog.isRunning();
    }

    /** Stops the deadline thread and the health checks; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                endpoints.close();
            } finally {
                watchdog.close();
            }
        }
    }
}
