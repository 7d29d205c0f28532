package dev.sturdy.internal.ejection;

import dev.sturdy.internal.runtime.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told. Its nanosecond time starts 30 minutes before {@code Long.MAX_VALUE},
 * so tests that run longer also prove that every comparison survives the wrap-around of
 * {@link System#nanoTime()}-style values. Wall-clock time starts at {@link #START}.
 */
final class FakeTicker implements Ticker {

    static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    private static final long START_NANOS = Long.MAX_VALUE - Duration.ofMinutes(30).toNanos();

    private final AtomicLong nanos = new AtomicLong(START_NANOS);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long epochMillis() {
        return START.toEpochMilli() + (nanos.get() - START_NANOS) / 1_000_000L;
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    void advanceNanos(long n) {
        nanos.addAndGet(n);
    }

    /** @return the wall-clock instant {@code d} after the start */
    static Instant at(Duration d) {
        return START.plus(d);
    }
}
