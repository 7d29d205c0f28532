package dev.sturdy.httpclient5.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one timer thread of an async client ({@code sturdy-async-retry-N}, a daemon): it starts every
 * retry of every call, after its backoff wait or at once. A wait costs a queued task, never a thread.
 * The thread starts with the first retry and stops when the client is closed; a cancelled wait is
 * removed from the queue at once.
 */
final class AsyncRetryScheduler implements AutoCloseable {

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;

    AsyncRetryScheduler() {
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            final Thread t = new Thread(r, "sturdy-async-retry-" + THREAD_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * @return the pending task, or null when the client is closed (the task will never run)
     */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return null;
        }
    }

    /** @return true while the timer thread may still run tasks */
    boolean isRunning() {
        return !executor.isTerminated();
    }

    /** Drops every pending wait and waits briefly for the thread to end. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
