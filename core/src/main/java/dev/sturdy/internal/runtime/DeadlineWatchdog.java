package dev.sturdy.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces hard deadlines for many calls with one thread and no timer task per call.
 *
 * <p>A call registers itself once (an intrusive lock-free push: one CAS, no allocation). The watchdog
 * thread wakes every tick, takes the newly registered entries, forgets the finished ones and asks each
 * live entry whether its current deadline has passed; if so it calls {@link Entry#expire(long)} on
 * the watchdog thread. A deadline therefore fires at most one tick late. With no call registered the
 * thread parks until the next registration. An entry may also leave the start of its deadline to the
 * watchdog (the classic client's success path does, to spare its caller a clock read): its first
 * {@link Entry#deadlineNanos()} call on the watchdog thread may read the clock to stamp it.
 *
 * <p>An entry may outlive one call: the classic client keeps one reusable entry per thread, registered
 * once and re-armed for each call, which reports itself done only after it has stayed idle for a while
 * (see {@link Entry#isDone()}); the watchdog's list then holds one entry per busy thread rather than
 * one per call of the last tick.
 *
 * <p>Thread-safety: {@link #register} may be called from any thread.
 */
public final class DeadlineWatchdog implements AutoCloseable {

    /** Default period of the watchdog: how late at most a deadline may fire. */
    public static final long DEFAULT_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineWatchdog.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Entry.class, "next", Entry.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Something with a deadline: one call of a client. */
    public abstract static class Entry {
        @SuppressWarnings("unused") // written through NEXT
        private volatile Entry next;
        private Entry watched; // the watchdog thread's own list

        /**
         * @return the deadline now in force, in {@link Ticker#nanoTime()} terms; it is compared with the
         *         current time by subtraction, so it must lie within 2^62 ns of it
         */
        protected abstract long deadlineNanos();

        /**
         * Called on the watchdog thread on every tick.
         *
         * @return true once the entry needs no more watching (its call has ended, or a reusable entry
         *         has stayed idle long enough); the watchdog then forgets it, and the entry must be
         *         registered again before it is used again
         */
        protected abstract boolean isDone();

        /**
         * Called on the watchdog thread when {@code now} has reached {@link #deadlineNanos()}. May be
         * called again on a later tick if the entry is still not done and still past a deadline, so it
         * must be idempotent for a given deadline.
         *
         * @param nowNanos the watchdog's current time
         */
        protected abstract void expire(long nowNanos);

        /**
         * Called once, on the watchdog thread as it stops, for an entry that is not done: its deadline
         * will never fire now. Does nothing unless overridden (a call that can outlive its transport, such
         * as an async call whose exchange a closed client never completes, ends itself here).
         */
        protected void watchdogClosed() {
        }
    }

    private final AtomicReference<Entry> incoming = new AtomicReference<>();
    private final Ticker ticker;
    private final long tickNanos;
    private final Thread thread;
    /** The time the watchdog read at its latest tick (see {@link #lastTickNanos()}). */
    private volatile long lastTickNanos;
    private volatile boolean closed;
    private volatile boolean idle;
    private volatile boolean started;

    /**
     * Creates the watchdog; its thread (a daemon named {@code sturdy-deadline-N}) starts with the first
     * registration, so a client that is never used (or never built) starts no thread.
     *
     * @param ticker    time source
     * @param tickNanos how often live deadlines are checked
     */
    public DeadlineWatchdog(Ticker ticker, long tickNanos) {
        this.ticker = ticker;
        this.tickNanos = tickNanos;
        this.lastTickNanos = ticker.nanoTime();
        this.thread = new Thread(this::run, "sturdy-deadline-" + THREAD_IDS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    private void startOnce() {
        synchronized (thread) {
            if (!started && !closed) {
                started = true;
                thread.start();
            }
        }
    }

    /**
     * Watches an entry until it reports done. Register each entry once.
     *
     * @param entry the call to watch
     */
    public void register(Entry entry) {
        if (!started) {
            startOnce();
        }
        Entry head;
        do {
            head = incoming.get();
            NEXT.set(entry, head);
        } while (!incoming.compareAndSet(head, entry));
        if (head == null && idle) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        Entry live = null;
        while (!closed) {
            live = takeRegistered(live);
            final long now = ticker.nanoTime();
            lastTickNanos = now;
            Entry previous = null;
            for (Entry e = live; e != null; e = e.watched) {
                if (e.isDone()) {
                    if (previous == null) {
                        live = e.watched;
                    } else {
                        previous.watched = e.watched;
                    }
                    continue;
                }
                if (now - e.deadlineNanos() >= 0) {
                    try {
                        e.expire(now);
                    } catch (RuntimeException | Error ex) {
                        LOG.warn("deadline handler failed", ex);
                    }
                }
                previous = e;
            }
            if (live == null && incoming.get() == null) {
                idle = true;
                if (incoming.get() == null && !closed) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(this, tickNanos);
            }
        }
        // closed: tell every entry still running that its deadline will not fire
        live = takeRegistered(live);
        for (Entry e = live; e != null; e = e.watched) {
            if (!e.isDone()) {
                try {
                    e.watchdogClosed();
                } catch (RuntimeException | Error ex) {
                    LOG.warn("close handler failed", ex);
                }
            }
        }
    }

    /**
     * Moves the entries registered since the last look onto the watchdog thread's own list.
     *
     * @param live the watchdog's list
     * @return the list with the new entries in front
     */
    private Entry takeRegistered(Entry live) {
        Entry fresh = incoming.getAndSet(null);
        while (fresh != null) {
            final Entry following = (Entry) NEXT.get(fresh);
            NEXT.set(fresh, null);
            fresh.watched = live;
            live = fresh;
            fresh = following;
        }
        return live;
    }

    /**
     * The time ({@link Ticker#nanoTime()} terms) the watchdog read at its latest tick: a clock that costs
     * one volatile read, behind the real one by up to a tick while calls are watched, and frozen while the
     * watchdog is parked (no call registered). Good for bookkeeping that only needs a recent time (last
     * use of an endpoint, whether a periodic sweep is due), never for a deadline.
     *
     * @return the latest tick's time, or the time the watchdog was created before its first tick
     */
    public long lastTickNanos() {
        return lastTickNanos;
    }

    /** @return true while the watchdog thread runs */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Stops the watchdog thread and waits for it to end. Deadlines of calls still running no longer fire;
     * each such entry is told so ({@link Entry#watchdogClosed()}) before the thread ends.
     */
    @Override
    public void close() {
        synchronized (thread) {
            closed = true;
            if (!started) {
                return;
            }
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
