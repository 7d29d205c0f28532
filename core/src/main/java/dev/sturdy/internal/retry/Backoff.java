package dev.sturdy.internal.retry;

import dev.sturdy.HttpRetryPolicy;
import java.time.Duration;
import java.util.Arrays;

/**
 * Envoy's fully jittered exponential backoff: before retry {@code N} (1-based) wait a uniformly random
 * time in {@code [0, min(cap, (2^N - 1) * base))}. The upper bounds are precomputed once, up to the point
 * where they reach the cap, so a delay costs a table lookup and a multiplication: no allocation, no
 * overflow for any retry number. The random draw is the caller's, which keeps this a pure function.
 *
 * <p>Thread-safety: immutable and thread-safe.
 */
public final class Backoff {

    private final long baseNanos;
    private final long capNanos;
    /** upperBounds[i] is the bound of retry i + 1; retries beyond the table are at the cap. */
    private final long[] upperBounds;

    /**
     * Creates the backoff for a base and a cap.
     *
     * @param initialDelay the base {@code B}, positive
     * @param maxInterval the cap, positive; a cap below the base makes every bound the cap
     * @throws IllegalArgumentException if a duration is not positive
     * @throws NullPointerException if a duration is null
     */
    public Backoff(Duration initialDelay, Duration maxInterval) {
        this.baseNanos = positiveNanos(initialDelay, "initialDelay");
        this.capNanos = positiveNanos(maxInterval, "maxInterval");
        this.upperBounds = computeUpperBounds(baseNanos, capNanos);
    }

    /**
     * Creates the backoff of a retry policy.
     *
     * @param policy the policy whose {@code initialDelay} and {@code maxInterval} to use
     * @return the backoff
     */
    public static Backoff of(HttpRetryPolicy policy) {
        return new Backoff(policy.initialDelay(), policy.maxInterval());
    }

    private static long positiveNanos(Duration duration, String field) {
        if (duration == null) {
            throw new NullPointerException(field + ": null (expected: non-null)");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(field + ": " + duration + " (expected: > 0)");
        }
        return saturatedNanos(duration);
    }

    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static long[] computeUpperBounds(long baseNanos, long capNanos) {
        long[] bounds = new long[63];
        int count = 0;
        for (int n = 1; n <= 63; n++) {
            long factor = n == 63 ? Long.MAX_VALUE : (1L << n) - 1; // 2^N - 1
            if (factor > capNanos / baseNanos) { // factor * base would exceed the cap (or overflow)
                break;
            }
            long bound = factor * baseNanos;
            if (bound >= capNanos) {
                break;
            }
            bounds[count++] = bound;
        }
        return Arrays.copyOf(bounds, count);
    }

    /**
     * Returns the exclusive upper bound of the wait before a retry.
     *
     * @param retryNumber the retry, 1-based (any value up to {@link Integer#MAX_VALUE})
     * @return {@code min(cap, (2^N - 1) * base)} in nanoseconds, at least 1
     * @throws IllegalArgumentException if {@code retryNumber < 1}
     */
    public long upperBoundNanos(int retryNumber) {
        if (retryNumber < 1) {
            throw new IllegalArgumentException("retryNumber: " + retryNumber + " (expected: >= 1)");
        }
        return retryNumber <= upperBounds.length ? upperBounds[retryNumber - 1] : capNanos;
    }

    /**
     * Returns the wait before a retry for a uniform random draw.
     *
     * @param retryNumber the retry, 1-based
     * @param uniform01 a uniform random number in [0, 1); values outside are clamped into it
     * @return nanoseconds in {@code [0, upperBoundNanos(retryNumber))}
     * @throws IllegalArgumentException if {@code retryNumber < 1}
     */
    public long delayNanos(int retryNumber, double uniform01) {
        long bound = upperBoundNanos(retryNumber);
        // (long) of NaN is 0; of a negative draw, at most 0. The product can round up to the bound
        // when the bound exceeds 2^53, hence the final clamp.
        long delay = (long) (uniform01 * bound);
        return Math.max(0L, Math.min(delay, bound - 1));
    }

    /**
     * Returns the backoff base.
     *
     * @return the base in nanoseconds (saturated at {@link Long#MAX_VALUE})
     */
    public long baseNanos() {
        return baseNanos;
    }

    /**
     * Returns the backoff cap.
     *
     * @return the cap in nanoseconds (saturated at {@link Long#MAX_VALUE})
     */
    public long capNanos() {
        return capNanos;
    }

    @Override
    public String toString() {
        return "Backoff{baseNanos=" + baseNanos + ", capNanos=" + capNanos + '}';
    }
}
