package dev.sturdy.httpclient5.internal;

import dev.sturdy.PoolOverflowException;
import dev.sturdy.event.ResilienceCounter;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.io.LeaseRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease of a pooled connection under sturdy's admission control (SPEC 5). When the pool has a
 * free connection the lease goes ahead untouched. When every connection is busy the request joins the
 * pending queue, which holds at most {@code http1MaxPendingRequests}: one more is refused at once with
 * a {@link PoolOverflowException}, as Envoy does, instead of HttpClient's unbounded queue. A queued
 * request waits at most {@code maxPendingWait}, and never past its call's deadline.
 *
 * <p>Every path gives back what it took: the pending place when the wait ends in any way (connection,
 * timeout, interrupt, cancel), the leased count when the connection is released or discarded.
 */
final class Admission implements LeaseRequest {

    private static final Logger LOG = LoggerFactory.getLogger("dev.sturdy.httpclient5");

    private final SturdyConnectionManager manager;
    private final LeaseRequest inner;
    private final HttpRoute route;
    private final PolicyState state;
    /** Non-null when this lease joined the pending queue; cleared when the place is given back. */
    private final AtomicBoolean queued;
    private final PoolOverflowException refused;

    private Admission(SturdyConnectionManager manager, LeaseRequest inner, HttpRoute route, PolicyState state,
                      boolean queued, PoolOverflowException refused) {
        this.manager = manager;
        this.inner = inner;
        this.route = route;
        this.state = state;
        this.queued = queued ? new AtomicBoolean(true) : null;
        this.refused = refused;
    }

    static LeaseRequest admit(SturdyConnectionManager manager, ClientRuntime runtime, String id, HttpRoute route,
                              Timeout requestTimeout, Object userState) {
        final PolicyState ps = runtime.state();
        if (manager.reserve(route)) {
            final LeaseRequest inner;
            try {
                inner = manager.pool().lease(id, route, requestTimeout, userState);
            } catch (RuntimeException e) { // "Connection pool shut down"
                manager.leased.decrementAndGet();
                throw e;
            }
            final Call call = CallSlot.get().current;
            if (call != null && call.runtime == runtime) {
                // the success path: the call itself is the lease handle, nothing is allocated
                call.leaseFrom(manager, inner, route);
                return call;
            }
            return new Admission(manager, inner, route, ps, false, null);
        }
        // every connection is taken: wait in sturdy's bounded queue, or be refused
        final HttpHost target = route.getTargetHost();
        runtime.counters.increment(ResilienceCounter.CX_OVERFLOW, target);
        final int waiting = joinQueue(manager.pending, ps.maxPendingRequests);
        if (waiting >= ps.maxPendingRequests) {
            return new Admission(manager, null, route, ps, false, pendingOverflow(runtime, target, waiting, ps));
        }
        final LeaseRequest inner;
        try {
            inner = manager.pool().lease(id, route, requestTimeout, userState);
        } catch (RuntimeException e) { // "Connection pool shut down": give the pending place back
            manager.pending.decrementAndGet();
            throw e;
        }
        return new Admission(manager, inner, route, ps, true, null);
    }

    static PoolOverflowException overflow(PoolOverflowException.Limit limit, String subject, String why) {
        return new PoolOverflowException(limit, subject + " refused: " + why);
    }

    /**
     * Takes a place in a pending queue of at most {@code max} only if one is free (a CAS loop, not
     * increment-then-undo: a refused request never shows in the count, so concurrent refusals all report
     * the real queue length). Shared by the classic and the async connection manager.
     *
     * @return the queue length before this request; it joined when that is below {@code max}
     */
    static int joinQueue(AtomicInteger pending, int max) {
        int waiting;
        do {
            waiting = pending.get();
        } while (waiting < max && !pending.compareAndSet(waiting, waiting + 1));
        return waiting;
    }

    /** Counts, logs and builds the refusal of a request that found the pending queue full (both clients). */
    static PoolOverflowException pendingOverflow(ClientRuntime runtime, HttpHost target, int waiting, PolicyState ps) {
        runtime.counters.increment(ResilienceCounter.RQ_PENDING_OVERFLOW, target);
        final PoolOverflowException e = overflow(PoolOverflowException.Limit.PENDING_REQUESTS, Events.endpoint(target),
                "no connection free and " + waiting + " requests already waiting (http1MaxPendingRequests "
                        + ps.maxPendingRequests + ")");
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}", e.getMessage());
        }
        return e;
    }

    /** What a request that waited too long for a connection was waiting for (both clients). */
    static String leaseTimeoutMessage(long waitedNanos, HttpHost target, PolicyState ps, int waiting) {
        return "waited " + Duration.ofNanos(waitedNanos) + " for a connection to " + Events.endpoint(target)
                + " (maxPendingWait " + ps.maxPendingWait + ", " + waiting + " waiting)";
    }

    @Override
    public ConnectionEndpoint get(Timeout timeout) throws InterruptedException, ExecutionException, TimeoutException {
        if (refused != null) {
            throw new ExecutionException(refused);
        }
        Timeout wait = timeout;
        if (queued != null) {
            long nanos = Math.min(timeout == null || timeout.isDisabled() ? Long.MAX_VALUE : timeout.toNanoseconds(),
                    state.maxPendingWaitNanos);
            final Call call = CallSlot.get().current;
            if (call != null) {
                nanos = Math.min(nanos, Math.max(1, call.remainingNanos(call.runtime.seams.ticker().nanoTime())));
            }
            wait = Timeout.of(nanos, TimeUnit.NANOSECONDS);
        }
        try {
            return await(manager, inner, route, state, wait, queued == null);
        } finally {
            leaveQueue();
        }
    }

    /**
     * Waits for the pool's lease; a timeout says what it waited for. A reserved lease (a connection was
     * free, {@link PoolControl#reserve}) already counts its connection and gives it back if the wait
     * fails in any way; a queued one counts the connection when it gets it. Shared by this class and by
     * {@link Call}, which serves as the (reserved) lease handle on the success path.
     */
    static ConnectionEndpoint await(SturdyConnectionManager manager, LeaseRequest inner, HttpRoute route,
                                    PolicyState state, Timeout wait, boolean reserved)
            throws InterruptedException, ExecutionException, TimeoutException {
        boolean leased = false;
        try {
            final ConnectionEndpoint endpoint = inner.get(wait);
            leased = true;
            if (!reserved) {
                manager.leased.incrementAndGet();
            }
            return endpoint;
        } catch (CancellationException e) {
            if (Thread.interrupted()) {
                // the pool hands a thread that was interrupted before its lease a cancelled lease: report the
                // interrupt, which HttpClient turns into "Request aborted" (and interrupts the thread again)
                final InterruptedException interrupted = new InterruptedException("interrupted before the lease");
                interrupted.initCause(e);
                throw interrupted;
            }
            throw e; // the lease was cancelled: by the caller (an abort) or by the deadline
        } catch (TimeoutException e) {
            final TimeoutException timedOut = new TimeoutException(leaseTimeoutMessage(wait.toNanoseconds(),
                    route.getTargetHost(), state, manager.pending.get()));
            timedOut.initCause(e);
            throw timedOut;
        } finally {
            if (reserved && !leased) {
                manager.leased.decrementAndGet();
            }
        }
    }

    @Override
    public boolean cancel() {
        leaveQueue();
        return inner == null || inner.cancel();
    }

    private void leaveQueue() {
        if (queued != null && queued.compareAndSet(true, false)) {
            manager.pending.decrementAndGet();
        }
    }
}
