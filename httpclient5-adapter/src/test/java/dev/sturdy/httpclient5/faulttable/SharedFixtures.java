package dev.sturdy.httpclient5.faulttable;

import dev.sturdy.httpclient5.testing.BacklogFullServer;
import org.junit.jupiter.api.Assumptions;

/**
 * Fixtures that are costly to start and safe to share between fault cases: a
 * {@link BacklogFullServer} takes about 250 ms to prove its accept queue is full, and keeps no state
 * between connects (the kernel drops every SYN). Not thread-safe: the table runs one case at a time.
 */
public final class SharedFixtures implements AutoCloseable {

    private BacklogFullServer backlogFull;

    /**
     * The shared port where connects time out; aborts the case (an assumption failure, reported as
     * skipped) on a platform that answers a full accept queue instead of dropping SYNs.
     */
    public BacklogFullServer backlogFull() {
        if (backlogFull == null) {
            try {
                backlogFull = BacklogFullServer.start();
            } catch (IllegalStateException e) {
                Assumptions.abort("connect timeouts cannot be reproduced on this machine: " + e.getMessage());
            }
        }
        return backlogFull;
    }

    @Override
    public void close() {
        if (backlogFull != null) {
            backlogFull.close();
            backlogFull = null;
        }
    }
}
