package dev.sturdy.httpclient5.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The socket side of the loopback fixtures: a listening socket on {@code 127.0.0.1} (ephemeral
 * port), one acceptor thread, one thread per served connection, and a {@link #close} that closes
 * every socket and joins every thread.
 *
 * <p>Its state is guarded by the owner's lock, which it notifies whenever a connection is accepted
 * or a served connection ends. Thread names are {@code <instance prefix><role>accept} and
 * {@code <instance prefix><role>conn-<id>}.
 */
final class LoopbackListener {

    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    /** Serves one connection on its own thread; an {@code IOException} ends the connection normally. */
    interface Handler {
        void serve(Socket socket, int connectionId) throws IOException;
    }

    /** Chooses, with the lock held, what to do with the accepted connection numbered {@code connectionId}. */
    interface AcceptPolicy {
        Handler onAccept(int connectionId);
    }

    /** An {@link AcceptPolicy} answer: keep the connection open, without a thread, until {@link #close}. */
    static final Handler HOLD = (socket, connectionId) -> { };

    /** An {@link AcceptPolicy} answer: reset the connection (RST) at once. */
    static final Handler RESET = (socket, connectionId) -> { };

    private final ServerSocket serverSocket;
    private final String threadNamePrefix;
    private final String role;
    private final Object lock;
    private final CountDownLatch closing = new CountDownLatch(1);

    // guarded by lock
    private final Set<Socket> openSockets = new HashSet<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> handlerFailures = new ArrayList<>();
    private int connectionCount;
    private boolean closed;

    /** Binds {@code unbound} to an ephemeral loopback port (closing it if that fails); call {@link #start} next. */
    LoopbackListener(ServerSocket unbound, int backlog, String role, Object lock) throws IOException {
        this.threadNamePrefix = FixtureThreads.newInstancePrefix();
        this.role = role;
        this.lock = lock;
        this.serverSocket = unbound;
        try {
            serverSocket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), backlog);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
    }

    /** Starts the acceptor thread, which asks {@code policy} about every connection it accepts. */
    void start(AcceptPolicy policy) {
        synchronized (lock) {
            threads.add(FixtureThreads.start(threadNamePrefix + role + "accept", () -> acceptLoop(policy)));
        }
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    String threadNamePrefix() {
        return threadNamePrefix;
    }

    /** Connections accepted so far, whatever the policy did with them. */
    int connectionCount() {
        synchronized (lock) {
            return connectionCount;
        }
    }

    /** Connections served or held and not yet closed. */
    int openConnectionCount() {
        synchronized (lock) {
            return openSockets.size();
        }
    }

    /** Waits {@code wait} unless {@link #close} starts first; returns false if it did. */
    boolean pause(Duration wait) {
        try {
            return !closing.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Closes the listening socket and every open connection, ends every {@link #pause}, and joins every
     * thread (2 s grace). Idempotent.
     *
     * @throws IllegalStateException {@code stillRunningMessage} followed by the threads still alive, or
     *                               {@code failureMessage} with the first non-I/O handler failure as cause
     */
    void close(String stillRunningMessage, String failureMessage) {
        List<Socket> sockets;
        List<Thread> toJoin;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            sockets = new ArrayList<>(openSockets);
            toJoin = new ArrayList<>(threads);
            lock.notifyAll();
        }
        closing.countDown();
        FaultServer.closeQuietly(serverSocket);
        sockets.forEach(FaultServer::closeQuietly);
        List<Thread> alive = FixtureThreads.joinAll(toJoin, CLOSE_GRACE);
        if (!alive.isEmpty()) {
            throw new IllegalStateException(stillRunningMessage + FixtureThreads.describe(alive));
        }
        synchronized (lock) {
            if (!handlerFailures.isEmpty()) {
                IllegalStateException failure = new IllegalStateException(failureMessage, handlerFailures.get(0));
                handlerFailures.stream().skip(1).forEach(failure::addSuppressed);
                throw failure;
            }
        }
    }

    private void acceptLoop(AcceptPolicy policy) {
        while (true) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return; // closed (or broken beyond use): either way, no more connections
            }
            Handler handler;
            synchronized (lock) {
                if (closed) {
                    FaultServer.closeQuietly(socket);
                    return;
                }
                int connectionId = ++connectionCount;
                handler = policy.onAccept(connectionId);
                if (handler != RESET) {
                    openSockets.add(socket);
                }
                if (handler != RESET && handler != HOLD) {
                    Handler serving = handler;
                    threads.removeIf(thread -> !thread.isAlive());
                    threads.add(FixtureThreads.start(threadNamePrefix + role + "conn-" + connectionId,
                            () -> serve(serving, socket, connectionId)));
                }
                lock.notifyAll();
            }
            if (handler == RESET) {
                FaultServer.reset(socket);
            }
        }
    }

    private void serve(Handler handler, Socket socket, int connectionId) {
        try {
            socket.setTcpNoDelay(true);
            handler.serve(socket, connectionId);
        } catch (IOException e) {
            // the client went away, a fault closed the socket, or close() did: the connection ends normally
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                handlerFailures.add(e);
            }
        } finally {
            FaultServer.closeQuietly(socket);
            synchronized (lock) {
                openSockets.remove(socket);
                lock.notifyAll();
            }
        }
    }
}
