package dev.sturdy.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;

/**
 * Bytes allocated by the current thread while it runs a piece of code, from the JVM's per-thread
 * allocation counter ({@code com.sun.management.ThreadMXBean}). The counter is reached by reflection:
 * test sources are compiled into the {@code dev.sturdy.core} module, which does not (and should not)
 * read the management modules; tests run on the class path, where they are visible. A test using it is
 * skipped (not passed) on a JVM without the counter.
 */
public final class ThreadAllocations {

    private final Object threads;
    private final Method allocatedBytes;

    private ThreadAllocations(Object threads, Method allocatedBytes) {
        this.threads = threads;
        this.allocatedBytes = allocatedBytes;
    }

    /**
     * @return a meter for the current JVM; assumes (JUnit assumption) that the counter is available
     * @throws ReflectiveOperationException if the management API is not as expected
     */
    public static ThreadAllocations meter() throws ReflectiveOperationException {
        Class<?> counterType;
        try {
            counterType = Class.forName("com.sun.management.ThreadMXBean");
        } catch (ClassNotFoundException e) {
            counterType = null;
        }
        assumeTrue(counterType != null, "no per-thread allocation counter on this JVM");
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        assumeTrue(counterType.isInstance(threads), "no per-thread allocation counter on this JVM");
        boolean supported = (Boolean) counterType.getMethod("isThreadAllocatedMemorySupported").invoke(threads)
                && (Boolean) counterType.getMethod("isThreadAllocatedMemoryEnabled").invoke(threads);
        assumeTrue(supported, "per-thread allocation counter disabled");
        return new ThreadAllocations(threads, counterType.getMethod("getThreadAllocatedBytes", long.class));
    }

    /**
     * Runs {@code calls} twice to warm up (class loading, JIT, lazily created state are not the hot
     * path), then once more measured.
     *
     * @param calls the code to measure, on the current thread
     * @return bytes the measured run allocated
     * @throws ReflectiveOperationException if the counter cannot be read
     */
    public long allocatedBy(Runnable calls) throws ReflectiveOperationException {
        calls.run();
        calls.run();
        long threadId = Thread.currentThread().getId();
        long before = (Long) allocatedBytes.invoke(threads, threadId);
        calls.run();
        return (Long) allocatedBytes.invoke(threads, threadId) - before;
    }
}
