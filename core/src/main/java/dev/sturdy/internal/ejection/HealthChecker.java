package dev.sturdy.internal.ejection;

import dev.sturdy.HealthCheckPolicy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one endpoint group (SPEC 6, Envoy's HTTP health checker), transport-neutral:
 * the adapter supplies the {@link HealthProbe} that sends a request and the shared scheduler it runs on.
 *
 * <p>Every {@link HealthCheckPolicy#interval()} (the first round at once on {@link #start()}), each member
 * whose previous probe has ended is probed. A probe passes when it completes within
 * {@link HealthCheckPolicy#timeout()} with an expected status; a late, failed, thrown or null probe
 * fails, and a late one is cancelled. After {@code unhealthyThreshold} failures in a row the member is
 * ejected (within the group's {@code maxEjectionPercent}) until {@code healthyThreshold} probes in a row
 * pass; passing probes also end an ejection on request errors. Members start admitted: a new client
 * sends traffic at once instead of waiting for a first round (Envoy starts hosts as unhealthy until
 * they pass; sturdy prefers not to fail the first calls of every client).
 *
 * <p>Nothing here blocks: a round only starts probes, results are applied on whatever thread completes
 * them, and the timeout of each probe is a task on the same scheduler. {@link #close()} cancels the
 * rounds, the timeouts and the probes in flight; results arriving later are ignored. The scheduler
 * itself belongs to the caller and is not shut down.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final OutlierDetector detector;
    private final EndpointSelector group;
    private final HealthCheckPolicy policy;
    private final HealthProbe probe;
    private final ScheduledExecutorService scheduler;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final AtomicReferenceArray<Probe> inFlight;
    // Guarded by this.
    private final int[] passes;
    private final int[] failures;
    private final int[] seenEjectionSeq;
    private ScheduledFuture<?> rounds;
    private volatile boolean closed;

    /**
     * @param detector  the client's detector (ejections, events, counters)
     * @param group     the group whose members are probed
     * @param policy    the group's health check policy
     * @param probe     sends one probe; must not block
     * @param scheduler the client's shared scheduler (a daemon thread owned by the adapter)
     */
    public HealthChecker(OutlierDetector detector, EndpointSelector group, HealthCheckPolicy policy, HealthProbe probe,
            ScheduledExecutorService scheduler) {
        this.detector = detector;
        this.group = group;
        this.policy = policy;
        this.probe = probe;
        this.scheduler = scheduler;
        this.intervalNanos = policy.interval().toNanos();
        this.timeoutNanos = policy.timeout().toNanos();
        final int n = group.size();
        this.inFlight = new AtomicReferenceArray<>(n);
        this.passes = new int[n];
        this.failures = new int[n];
        this.seenEjectionSeq = new int[n];
    }

    /**
     * Schedules a round of probes now and every interval after the previous round started its probes.
     * Calling it again, or after {@link #close()}, does nothing.
     */
    public synchronized void start() {
        if (rounds != null || closed) {
            return;
        }
        rounds = scheduler.scheduleWithFixedDelay(this::runOnceSafely, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    private void runOnceSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task for good.
            LOG.warn("health check round of {} failed; the next round runs as planned", group.name(), e);
        }
    }

    /** Runs one round: starts a probe of every member that has none in flight. Never blocks. */
    public void runOnce() {
        for (int i = 0; i < group.size() && !closed; i++) {
            if (inFlight.get(i) != null) {
                continue; // the previous probe has not ended: its timeout will end it
            }
            final Probe p = new Probe(i);
            if (inFlight.compareAndSet(i, null, p)) {
                p.start();
            }
        }
    }

    /** @return true while a probe of the member is in flight */
    boolean probing(int member) {
        return inFlight.get(member) != null;
    }

    /** Stops the rounds and cancels probes in flight; results that arrive later are ignored. Idempotent. */
    @Override
    public void close() {
        final ScheduledFuture<?> r;
        synchronized (this) {
            closed = true;
            r = rounds;
        }
        if (r != null) {
            r.cancel(false);
        }
        for (int i = 0; i < inFlight.length(); i++) {
            final Probe p = inFlight.getAndSet(i, null);
            if (p != null) {
                p.cancel();
            }
        }
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    private void record(int member, boolean passed) {
        if (closed) {
            return;
        }
        final EndpointState s = group.member(member);
        boolean eject = false;
        boolean restore = false;
        int failed = 0;
        synchronized (this) {
            final int seq = s.ejectionSeq;
            if (seq != seenEjectionSeq[member]) {
                seenEjectionSeq[member] = seq; // ejected since the last probe: passes count from now on
                passes[member] = 0;
            }
            if (passed) {
                failures[member] = 0;
                passes[member] = passes[member] == Integer.MAX_VALUE ? Integer.MAX_VALUE : passes[member] + 1;
                restore = passes[member] >= policy.healthyThreshold();
            } else {
                passes[member] = 0;
                failures[member] = failures[member] == Integer.MAX_VALUE ? Integer.MAX_VALUE : failures[member] + 1;
                failed = failures[member];
                eject = failed >= policy.unhealthyThreshold();
            }
        }
        if (eject) {
            detector.healthCheckFailed(s, failed, detector.ticker().nanoTime() + intervalNanos);
            synchronized (this) {
                seenEjectionSeq[member] = s.ejectionSeq; // our own ejection does not reset the passes to come
            }
        } else if (restore) {
            detector.healthCheckPassed(s);
        }
    }

    /** One probe of one member: completes once, by its result, its timeout or close(). */
    private final class Probe {
        private final int member;
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile ScheduledFuture<?> timer;
        private volatile CompletableFuture<Integer> future;

        Probe(int member) {
            this.member = member;
        }

        void start() {
            try {
                timer = scheduler.schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                settle(); // the scheduler is shutting down: the client is closing
                return;
            }
            final CompletionStage<Integer> stage;
            try {
                stage = probe.probe(group.key(member), policy);
            } catch (RuntimeException e) {
                LOG.debug("health probe of {} threw", group.member(member).name(), e);
                finish(false);
                return;
            }
            if (stage == null) {
                finish(false);
                return;
            }
            try {
                future = stage.toCompletableFuture();
            } catch (UnsupportedOperationException e) {
                future = null; // a stage without a future cannot be cancelled; its result still counts
            }
            stage.whenComplete((status, failure) -> finish(failure == null && status != null
                    && policy.isExpected(status)));
        }

        private void timedOut() {
            if (settle()) {
                cancelFuture();
                record(member, false);
            }
        }

        private void finish(boolean passed) {
            if (settle()) {
                final ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
                record(member, passed);
            }
        }

        /** @return true for the one caller that ends this probe */
        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            inFlight.compareAndSet(member, this, null);
            return true;
        }

        void cancel() {
            if (settled.compareAndSet(false, true)) {
                final ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
                cancelFuture();
            }
        }

        private void cancelFuture() {
            final CompletableFuture<Integer> f = future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
