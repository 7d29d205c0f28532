package dev.sturdy.internal.ejection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A single-threaded {@link ScheduledExecutorService} driven by a {@link FakeTicker}: tasks run only in
 * {@link #advance(Duration)}, on the calling thread, in due order, with the ticker moved to each task's
 * due time first. Deterministic; nothing sleeps.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final FakeTicker ticker;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private long sequence;
    private boolean shutdown;
    int executed;

    ManualScheduler(FakeTicker ticker) {
        this.ticker = ticker;
    }

    /** Moves time forward by {@code d}, running every task that falls due on the way. */
    void advance(Duration d) {
        final long end = ticker.nanoTime() + d.toNanos();
        while (true) {
            final Task<?> next = queue.peek();
            if (next == null || next.dueNanos - end > 0) {
                break;
            }
            queue.poll();
            if (next.cancelled) {
                continue;
            }
            final long wait = next.dueNanos - ticker.nanoTime();
            if (wait > 0) {
                ticker.advanceNanos(wait);
            }
            executed++;
            next.run();
        }
        final long rest = end - ticker.nanoTime();
        if (rest > 0) {
            ticker.advanceNanos(rest);
        }
    }

    /** Runs what is due now without moving time. */
    void runDue() {
        advance(Duration.ZERO);
    }

    int pending() {
        int n = 0;
        for (Task<?> t : queue) {
            if (!t.cancelled) {
                n++;
            }
        }
        return n;
    }

    private <V> Task<V> enqueue(Callable<V> body, long delayNanos, long periodNanos) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        final Task<V> t = new Task<>(body, ticker.nanoTime() + Math.max(0, delayNanos), periodNanos, sequence++);
        queue.add(t);
        return t;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(() -> {
            command.run();
            return null;
        }, unit.toNanos(delay), 0);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(callable, unit.toNanos(delay), 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return scheduleWithFixedDelay(command, initialDelay, period, unit); // the same with instant tasks
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return enqueue(() -> {
            command.run();
            return null;
        }, unit.toNanos(initialDelay), unit.toNanos(delay));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        queue.clear();
        return new ArrayList<>();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && queue.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private final class Task<V> implements ScheduledFuture<V>, Runnable {
        private final Callable<V> body;
        private final long periodNanos;
        private final long seq;
        long dueNanos;
        volatile boolean cancelled;
        volatile boolean done;

        Task(Callable<V> body, long dueNanos, long periodNanos, long seq) {
            this.body = body;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
            this.seq = seq;
        }

        @Override
        public void run() {
            try {
                body.call();
            } catch (Exception e) {
                done = true; // a periodic task that throws is not run again, as in the JDK
                return;
            }
            if (periodNanos > 0 && !cancelled) {
                dueNanos = ticker.nanoTime() + periodNanos;
                queue.add(this);
            } else {
                done = true;
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - ticker.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            final Task<?> other = (Task<?>) o;
            final long d = dueNanos - other.dueNanos;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(seq, other.seq);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            done = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done;
        }

        @Override
        public V get() {
            throw new UnsupportedOperationException();
        }

        @Override
        public V get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }
}
