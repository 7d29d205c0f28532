package dev.sturdy.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The deadline watchdog on its own, with a clock the test sets: an entry expires once its deadline has
 * passed, a done entry is forgotten, and closing tells each entry still running, once, that its deadline
 * will not fire.
 */
class DeadlineWatchdogTest {

    /** A clock the test moves; the watchdog's thread reads it. */
    private static final class SetClock implements Ticker {
        final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public long epochMillis() {
            return 0L;
        }
    }

    /** An entry that records what the watchdog did to it. */
    private static final class Recorder extends DeadlineWatchdog.Entry {
        final long deadline;
        volatile boolean done;
        final AtomicInteger expired = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final CountDownLatch firstExpiry = new CountDownLatch(1);

        Recorder(long deadline) {
            this.deadline = deadline;
        }

        @Override
        protected long deadlineNanos() {
            return deadline;
        }

        @Override
        protected boolean isDone() {
            return done;
        }

        @Override
        protected void expire(long nowNanos) {
            expired.incrementAndGet();
            firstExpiry.countDown();
        }

        @Override
        protected void watchdogClosed() {
            closed.incrementAndGet();
        }
    }

    @Test
    void expiresPastDeadlinesAndTellsRunningEntriesOnceWhenItCloses() throws Exception {
        final SetClock clock = new SetClock();
        final DeadlineWatchdog watchdog = new DeadlineWatchdog(clock, TimeUnit.MILLISECONDS.toNanos(1));
        final Recorder late = new Recorder(clock.now.get() + 1_000);
        final Recorder running = new Recorder(clock.now.get() + TimeUnit.HOURS.toNanos(1));
        final Recorder finished = new Recorder(clock.now.get() + TimeUnit.HOURS.toNanos(1));
        watchdog.register(late);
        watchdog.register(running);
        watchdog.register(finished);

        clock.now.addAndGet(2_000); // past the first deadline only
        assertThat(late.firstExpiry.await(5, TimeUnit.SECONDS)).as("the late entry expired").isTrue();
        late.done = true; // its call ended on the deadline
        finished.done = true;
        assertThat(running.expired.get()).isZero();

        watchdog.close();

        assertThat(watchdog.isRunning()).isFalse();
        assertThat(running.closed.get()).as("told that its deadline will not fire").isEqualTo(1);
        assertThat(late.closed.get()).as("already done").isZero();
        assertThat(finished.closed.get()).as("already done").isZero();
        watchdog.close(); // idempotent: nobody is told twice
        assertThat(running.closed.get()).isEqualTo(1);
    }

    @Test
    void lastTickTimeFollowsTheClockWhileEntriesAreWatched() throws Exception {
        final SetClock clock = new SetClock();
        final DeadlineWatchdog watchdog = new DeadlineWatchdog(clock, TimeUnit.MILLISECONDS.toNanos(1));
        try {
            assertThat(watchdog.lastTickNanos()).as("before the first tick: the time at creation")
                    .isEqualTo(clock.now.get());
            watchdog.register(new Recorder(clock.now.get() + TimeUnit.HOURS.toNanos(1)));
            final long later = clock.now.addAndGet(TimeUnit.SECONDS.toNanos(3));
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (watchdog.lastTickNanos() != later && System.nanoTime() - until < 0) {
                Thread.sleep(1);
            }
            assertThat(watchdog.lastTickNanos()).as("a tick after the clock moved").isEqualTo(later);
        } finally {
            watchdog.close();
        }
    }
}
