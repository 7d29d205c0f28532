package dev.sturdy.internal.runtime;

import dev.sturdy.RetryBudget;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one client's retry budget (SPEC 2.6, Envoy's retry budget): calls in flight and
 * retries in flight. The calls-in-flight count is also the client's in-flight request limit. A retry takes a slot when it is scheduled and gives it back when its attempt ends.
 * Thread-safe and allocation-free.
 */
public final class RetryBudgetTracker {

    private final AtomicInteger activeCalls = new AtomicInteger();
    private final AtomicInteger retriesInFlight = new AtomicInteger();

    /** A call was admitted. */
    public void callStarted() {
        activeCalls.incrementAndGet();
    }

    /**
     * Admits a call if fewer than {@code limit} are active; the active-call count doubles as the
     * client's in-flight request limit.
     *
     * @param limit the most calls allowed in flight at once
     * @return true if the call was admitted (end it with {@link #callEnded()}), false if the limit is reached
     */
    public boolean tryCallStarted(int limit) {
        while (true) {
            final int active = activeCalls.get();
            if (active >= limit) {
                return false;
            }
            if (activeCalls.compareAndSet(active, active + 1)) {
                return true;
            }
        }
    }

    /** A call ended, in whatever way. */
    public void callEnded() {
        activeCalls.decrementAndGet();
    }

    /**
     * Takes a retry slot if the budget allows one.
     *
     * @param budget the budget in force for the call asking (a policy swap may change it)
     * @return {@code -1} when a slot was taken, otherwise the number of retries allowed at this moment
     *         (the caller reports it in its overflow event)
     */
    public int tryAcquire(RetryBudget budget) {
        if (budget.isUnlimited()) {
            retriesInFlight.incrementAndGet();
            return -1;
        }
        while (true) {
            final int inFlight = retriesInFlight.get();
            final int allowed = budget.allowedRetries(activeCalls.get());
            if (inFlight >= allowed) {
                return allowed;
            }
            if (retriesInFlight.compareAndSet(inFlight, inFlight + 1)) {
                return -1;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire(RetryBudget)}. */
    public void release() {
        retriesInFlight.decrementAndGet();
    }

    /** @return calls in flight now */
    public int activeCalls() {
        return activeCalls.get();
    }

    /** @return retries holding a slot now */
    public int retriesInFlight() {
        return retriesInFlight.get();
    }
}
