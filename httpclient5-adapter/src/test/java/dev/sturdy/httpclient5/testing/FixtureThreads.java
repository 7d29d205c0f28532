package dev.sturdy.httpclient5.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Names, starts and checks the threads of the loopback fixtures.
 *
 * <p>Every fixture thread is a daemon thread whose name starts with {@link #PREFIX}
 * ({@code "fault-server-"}), followed by the fixture's instance id, so a test can prove that
 * {@code close()} left nothing running: {@code FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix())}
 * for one fixture, or {@code FixtureThreads.assertNoThreadsLeft(FixtureThreads.PREFIX)} for all of
 * them (only safe when tests do not run in parallel).
 *
 * <p>Thread-safe.
 */
public final class FixtureThreads {

    /** The name prefix shared by every fixture thread. */
    public static final String PREFIX = "fault-server-";

    private static final AtomicInteger INSTANCE_IDS = new AtomicInteger();
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    private FixtureThreads() {
    }

    /** Returns a fresh per-instance prefix such as {@code "fault-server-7-"}. */
    static String newInstancePrefix() {
        return PREFIX + INSTANCE_IDS.incrementAndGet() + "-";
    }

    /** Starts a daemon thread with the given full name. */
    static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Joins every thread for at most {@code grace} in total; returns the ones still alive. */
    static List<Thread> joinAll(List<Thread> threads, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread thread : threads) {
            long leftMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            try {
                thread.join(leftMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return threads.stream().filter(Thread::isAlive).collect(Collectors.toList());
    }

    /**
     * Returns the live threads whose name starts with {@code prefix}.
     *
     * @param prefix a thread name prefix, e.g. {@link #PREFIX} or a fixture's {@code threadNamePrefix()}
     */
    public static List<Thread> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith(prefix))
                .collect(Collectors.toList());
    }

    /**
     * Polls for up to 2 seconds until no live thread's name starts with {@code prefix}.
     *
     * @throws AssertionError naming the threads still alive, with their stacks
     */
    public static void assertNoThreadsLeft(String prefix) {
        assertNoThreadsLeft(prefix, DEFAULT_GRACE);
    }

    /**
     * Polls for up to {@code timeout} until no live thread's name starts with {@code prefix}.
     *
     * @throws AssertionError naming the threads still alive, with their stacks
     */
    public static void assertNoThreadsLeft(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> alive = liveThreads(prefix);
        while (!alive.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for threads " + prefix + "*", e);
            }
            alive = liveThreads(prefix);
        }
        if (!alive.isEmpty()) {
            throw new AssertionError("threads named " + prefix + "* still alive after "
                    + timeout.toMillis() + " ms: " + describe(alive));
        }
    }

    static String describe(List<Thread> threads) {
        StringBuilder text = new StringBuilder();
        for (Thread thread : threads) {
            text.append("\n  ").append(thread.getName()).append(" (").append(thread.getState()).append(')');
            for (StackTraceElement frame : thread.getStackTrace()) {
                text.append("\n      at ").append(frame);
            }
        }
        return text.toString();
    }
}
