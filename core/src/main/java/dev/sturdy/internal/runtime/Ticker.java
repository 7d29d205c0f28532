package dev.sturdy.internal.runtime;

/** A source of monotonic nanoseconds and of wall-clock milliseconds; a seam so tests control time. */
public interface Ticker {

    /** The JVM's clocks: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long epochMillis() {
            return System.currentTimeMillis();
        }
    };

    /** @return monotonic time in nanoseconds, comparable only with other values of this ticker */
    long nanoTime();

    /** @return wall-clock time in milliseconds since the epoch (for HTTP-date Retry-After values) */
    long epochMillis();
}
