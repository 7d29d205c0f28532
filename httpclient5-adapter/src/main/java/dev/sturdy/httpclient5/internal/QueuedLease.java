package dev.sturdy.httpclient5.internal;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * A lease of an async client that waits in sturdy's pending queue ({@link SturdyAsyncConnectionManager}).
 * It is the future HttpClient holds (a {@link Cancellable}, so HttpClient cancels it directly), the
 * callback of the pool's own lease, and the task of sturdy's timer, all in one object.
 *
 * <p>Whatever ends the wait first ends it, exactly once: the pool delivers a connection, fails or
 * cancels its lease; sturdy's timer fires ({@code maxPendingWait}: a {@link ConnectionRequestTimeoutException}
 * with the classic client's message); HttpClient cancels the lease (the caller cancelled the call, or
 * the deadline watchdog cancelled the attempt); or the client closes. That one gives the pending place
 * back, stops the timer and cancels the pool's lease, then tells HttpClient. A connection the pool
 * delivers afterwards goes straight back to the pool.
 *
 * <p>Threads: the timer's failure, and so the caller's callback, runs on sturdy's timer thread
 * ({@link AsyncRetryScheduler}); a delivered connection on the thread that released it (an I/O thread).
 */
final class QueuedLease implements Future<AsyncConnectionEndpoint>, Cancellable, FutureCallback<AsyncConnectionEndpoint>,
        Runnable {

    private static final int WAITING = 0;
    private static final int CONNECTED = 1;
    private static final int FAILED = 2;
    private static final int CANCELLED = 3;

    private final SturdyAsyncConnectionManager manager;
    private final HttpRoute route;
    private final Object state;
    private final PolicyState policy;
    private final long waitNanos;
    private final FutureCallback<AsyncConnectionEndpoint> callback;
    /** The pool's lease, once {@code pool.lease} has returned. */
    private volatile Future<AsyncConnectionEndpoint> inner;
    private volatile ScheduledFuture<?> timer;
    /** Written under this object's monitor, once. */
    private volatile int outcome;
    private AsyncConnectionEndpoint endpoint;
    private Exception failure;

    QueuedLease(SturdyAsyncConnectionManager manager, HttpRoute route, Object state, PolicyState policy, long waitNanos,
                FutureCallback<AsyncConnectionEndpoint> callback) {
        this.manager = manager;
        this.route = route;
        this.state = state;
        this.policy = policy;
        this.waitNanos = waitNanos;
        this.callback = callback;
    }

    /** A lease refused at once (the pending queue is full): it never held a place. */
    static QueuedLease refused(SturdyAsyncConnectionManager manager, HttpRoute route, PolicyState policy,
                               FutureCallback<AsyncConnectionEndpoint> callback, Exception refusal) {
        final QueuedLease lease = new QueuedLease(manager, route, null, policy, 0L, callback);
        lease.end(FAILED, null, refusal);
        if (callback != null) {
            callback.failed(refusal);
        }
        return lease;
    }

    void timer(ScheduledFuture<?> t) {
        timer = t;
        if (outcome != WAITING) {
            t.cancel(false);
        }
    }

    void inner(Future<AsyncConnectionEndpoint> f) {
        inner = f;
        final int o = outcome;
        if (o == FAILED || o == CANCELLED) {
            f.cancel(true); // ended while the pool's lease was being placed
        }
    }

    // ---------------------------------------------------------------- the pool's callback

    @Override
    public void completed(AsyncConnectionEndpoint connection) {
        if (end(CONNECTED, connection, null)) {
            manager.leased.incrementAndGet();
            leaveQueue();
            if (callback != null) {
                callback.completed(connection);
            }
        } else {
            manager.giveBack(connection, state);
        }
    }

    @Override
    public void failed(Exception ex) {
        // HttpClient's own (late) pool timeout, should it come first: reported as sturdy's
        final Exception f = ex instanceof DeadlineTimeoutException ? timeout() : ex;
        if (end(FAILED, null, f)) {
            leaveQueue();
            if (callback != null) {
                callback.failed(f);
            }
        }
    }

    @Override
    public void cancelled() {
        if (end(CANCELLED, null, null)) {
            leaveQueue();
            if (callback != null) {
                callback.cancelled();
            }
        }
    }

    // ---------------------------------------------------------------- sturdy's timer

    /** {@code maxPendingWait} has passed. */
    @Override
    public void run() {
        if (outcome != WAITING) {
            return;
        }
        fail(timeout());
    }

    /** The classic client's message; the count includes this lease, still queued. */
    private ConnectionRequestTimeoutException timeout() {
        return manager.leaseTimeout(waitNanos, route, policy);
    }

    /** The client closed while this lease waited: HttpClient's pool drops its queue without a word. */
    void clientClosed() {
        fail(new CancellationException("Request execution cancelled: client closed"));
    }

    /** Ends the wait from sturdy's side (timer, close): the pool's lease is cancelled. */
    private void fail(Exception e) {
        if (end(FAILED, null, e)) {
            leaveQueue();
            cancelInner();
            if (callback != null) {
                callback.failed(e);
            }
        }
    }

    // ---------------------------------------------------------------- HttpClient's future

    @Override
    public boolean cancel() {
        if (end(CANCELLED, null, null)) {
            leaveQueue();
            cancelInner();
            if (callback != null) {
                callback.cancelled();
            }
            return true;
        }
        return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel();
    }

    @Override
    public boolean isCancelled() {
        return outcome == CANCELLED;
    }

    @Override
    public boolean isDone() {
        return outcome != WAITING;
    }

    @Override
    public synchronized AsyncConnectionEndpoint get() throws InterruptedException, ExecutionException {
        while (outcome == WAITING) {
            wait();
        }
        return result();
    }

    @Override
    public synchronized AsyncConnectionEndpoint get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (outcome == WAITING) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no connection within " + Duration.ofNanos(unit.toNanos(timeout)));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return result();
    }

    // guarded by this
    private AsyncConnectionEndpoint result() throws ExecutionException {
        if (outcome == CANCELLED) {
            throw new CancellationException("connection lease cancelled");
        }
        if (failure != null) {
            throw new ExecutionException(failure);
        }
        return endpoint;
    }

    // ---------------------------------------------------------------- ending

    /** @return true for the one caller that ends the wait */
    private synchronized boolean end(int how, AsyncConnectionEndpoint connection, Exception f) {
        if (outcome != WAITING) {
            return false;
        }
        endpoint = connection;
        failure = f;
        outcome = how;
        notifyAll();
        return true;
    }

    /** Called once, by whoever ended the wait. */
    private void leaveQueue() {
        final ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        manager.dequeue(this);
    }

    private void cancelInner() {
        final Future<AsyncConnectionEndpoint> f = inner;
        if (f != null) {
            f.cancel(true);
        }
    }

    @Override
    public String toString() {
        return "QueuedLease{" + Events.endpoint(route.getTargetHost()) + ", outcome " + outcome + "}";
    }
}
