package dev.sturdy;

import java.util.SplittableRandom;

/**
 * Seeds for property tests. A run uses a fresh seed unless {@code -Dsturdy.seed=N} replays one; every
 * test prints its seed and puts it in its assertion descriptions, so a failure names the seed to replay.
 */
public final class Seeds {

    /** The system property that replays a seed. */
    public static final String PROPERTY = "sturdy.seed";

    private Seeds() {
    }

    /**
     * Returns the seed for a test: the {@value #PROPERTY} system property when set, otherwise a new one.
     *
     * @param test the test's name, printed with the seed
     * @return the seed
     */
    public static long seed(String test) {
        String configured = System.getProperty(PROPERTY);
        long seed = configured != null && !configured.isBlank()
                ? Long.parseLong(configured.trim())
                : new SplittableRandom().nextLong();
        System.out.println(test + ": seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }

    /**
     * Returns a description naming the seed, for assertion messages.
     *
     * @param seed the seed
     * @param detail what is being checked
     * @return the description
     */
    public static String describe(long seed, Object detail) {
        return "seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + "): " + detail;
    }
}
