package dev.sturdy.httpclient5;

import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.internal.runtime.DeadlineWatchdog;
import dev.sturdy.internal.runtime.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker that stands still until the test advances it: {@link #nanoTime()} and {@link #epochMillis()}
 * move together, so an instant the client computes from {@code nanoTime} differences can be predicted
 * exactly. With it, deadlines and per-try timeouts never fire unless the test advances past them.
 *
 * <p>Thread-safe.
 */
final class FakeTicker implements Ticker {

    private final long startNanos;
    private final Instant startWallClock;
    private final AtomicLong nanos;

    /**
     * @param startNanos     the first {@link #nanoTime()} value (any value: the client compares by subtraction)
     * @param startWallClock the wall clock at {@code startNanos}
     */
    FakeTicker(long startNanos, Instant startWallClock) {
        this.startNanos = startNanos;
        this.startWallClock = startWallClock;
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long epochMillis() {
        return wallClock().toEpochMilli();
    }

    /** @return the wall clock now, with nanosecond precision */
    Instant wallClock() {
        return startWallClock.plusNanos(nanos.get() - startNanos);
    }

    /** Moves time forward. */
    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** @return how far time has been advanced since the start */
    Duration elapsed() {
        return Duration.ofNanos(nanos.get() - startNanos);
    }

    /** Seams with this ticker, no sleeping before retries, a fixed jitter draw, the default watchdog tick. */
    Seams seams() {
        return new Seams(this, n -> { }, () -> 0.5, DeadlineWatchdog.DEFAULT_TICK_NANOS);
    }

    /** An instant rounded up to the second, as sturdy prints when an ejected endpoint is tried again. */
    static Instant ceilSecond(Instant exact) {
        final Instant second = exact.truncatedTo(ChronoUnit.SECONDS);
        return second.equals(exact) ? second : second.plusSeconds(1);
    }
}
