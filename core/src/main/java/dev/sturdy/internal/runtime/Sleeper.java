package dev.sturdy.internal.runtime;

import java.util.concurrent.locks.LockSupport;

/** Waits before a retry; a seam so tests need not sleep for real. */
@FunctionalInterface
public interface Sleeper {

    /**
     * Parks the current thread for at least the given time, never less (spurious wake-ups are
     * absorbed), and reacts to interruption.
     */
    Sleeper SYSTEM = nanos -> {
        final long end = System.nanoTime() + nanos;
        long left = nanos;
        while (left > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting to retry");
            }
            left = end - System.nanoTime();
        }
    };

    /**
     * Waits {@code nanos} nanoseconds.
     *
     * @param nanos how long to wait; 0 or less returns at once
     * @throws InterruptedException when the thread is interrupted while waiting (its flag cleared)
     */
    void sleepNanos(long nanos) throws InterruptedException;
}
