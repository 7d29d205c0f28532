package dev.sturdy.httpclient5.internal;

import dev.sturdy.internal.runtime.DeadlineWatchdog;
import dev.sturdy.internal.runtime.RandomSource;
import dev.sturdy.internal.runtime.Sleeper;
import dev.sturdy.internal.runtime.Ticker;

/**
 * The time, sleeping and randomness a client uses; tests replace them.
 *
 * @param ticker         monotonic and wall-clock time
 * @param sleeper        waits before retries
 * @param random         jitter draws
 * @param watchdogTickNanos how often deadlines are checked
 */
public record Seams(Ticker ticker, Sleeper sleeper, RandomSource random, long watchdogTickNanos) {

    /** The real clocks, real sleeping and {@code ThreadLocalRandom}. */
    public static final Seams SYSTEM =
            new Seams(Ticker.SYSTEM, Sleeper.SYSTEM, RandomSource.SYSTEM, DeadlineWatchdog.DEFAULT_TICK_NANOS);

    /**
     * @param sleeper the sleeper to use instead
     * @return a copy with that sleeper
     */
    public Seams withSleeper(Sleeper sleeper) {
        return new Seams(ticker, sleeper, random, watchdogTickNanos);
    }

    /**
     * @param random the random source to use instead
     * @return a copy with that random source
     */
    public Seams withRandom(RandomSource random) {
        return new Seams(ticker, sleeper, random, watchdogTickNanos);
    }
}
