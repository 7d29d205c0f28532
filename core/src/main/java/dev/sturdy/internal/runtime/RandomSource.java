package dev.sturdy.internal.runtime;

import java.util.concurrent.ThreadLocalRandom;

/** Uniform draws in [0, 1) for backoff jitter; a seam so tests can fix the draws. */
@FunctionalInterface
public interface RandomSource {

    /** {@link ThreadLocalRandom}: no contention, no allocation. */
    RandomSource SYSTEM = () -> ThreadLocalRandom.current().nextDouble();

    /** @return a uniform draw in [0, 1) */
    double nextDouble();
}
