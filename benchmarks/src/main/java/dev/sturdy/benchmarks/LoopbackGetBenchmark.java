package dev.sturdy.benchmarks;

import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A GET on loopback against {@link CannedServer} (a separate JVM, keep-alive, a fixed two-byte 200),
 * every variant in one JMH run; each call reads the body with a response handler:
 * <ul>
 *   <li>{@code socketFloor}: the same exchange on a raw keep-alive socket, no HttpClient (one socket per
 *       benchmark thread);
 *   <li>{@code raw}: HttpClient 5 classic, pooling manager with sturdy's pool sizes and timeouts,
 *       automatic retries disabled;
 *   <li>{@code sturdy}: {@code SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()};
 *   <li>{@code failsafe}: the raw client inside Failsafe retry + circuit breaker (executor built once);
 *   <li>{@code resilience4j}: the raw client inside Resilience4j Retry + CircuitBreaker (decorated once).
 * </ul>
 * One server process and one client per trial (per benchmark method), shared by the benchmark threads.
 * Single-threaded by default; run a second time with {@code -t 4} for four threads on one client.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class LoopbackGetBenchmark {

    CannedServer.Handle server;
    URI uri;
    CloseableHttpClient raw;
    SturdyHttpClient sturdy;
    FailsafeExecutor<Integer> failsafe;
    CheckedSupplier<Integer> failsafeCall;
    io.github.resilience4j.core.functions.CheckedSupplier<Integer> resilience4jCall;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        server = CannedServer.start();
        uri = URI.create("http://127.0.0.1:" + server.port + "/");
        final ResiliencePolicy policy = ResiliencePolicy.recommended();
        raw = Clients.raw(policy);
        sturdy = SturdyHttpClients.custom(policy).build();
        failsafe = Clients.failsafe(Duration.ofSeconds(1), Duration.ofSeconds(10));
        failsafeCall = () -> raw.execute(new HttpGet(uri), Clients.READ_BODY);
        resilience4jCall = Clients.resilience4j(() -> raw.execute(new HttpGet(uri), Clients.READ_BODY));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            raw.close();
            sturdy.close();
        } finally {
            server.close();
        }
    }

    /** One keep-alive socket per benchmark thread, for the floor. */
    @State(Scope.Thread)
    public static class FloorSocket {
        Socket socket;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[CannedServer.RESPONSE.length];

        @Setup(Level.Trial)
        public void connect(LoopbackGetBenchmark bench) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), bench.server.port);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            socket.close();
        }
    }

    @Benchmark
    public int socketFloor(FloorSocket s) throws IOException {
        s.out.write(CannedServer.FLOOR_REQUEST);
        int got = 0;
        while (got < s.buf.length) {
            final int n = s.in.read(s.buf, got, s.buf.length - got);
            if (n < 0) {
                throw new IOException("server closed the connection");
            }
            got += n;
        }
        return got;
    }

    @Benchmark
    public Integer raw() throws IOException {
        return raw.execute(new HttpGet(uri), Clients.READ_BODY);
    }

    @Benchmark
    public Integer sturdy() throws IOException {
        return sturdy.execute(new HttpGet(uri), Clients.READ_BODY);
    }

    @Benchmark
    public Integer failsafe() {
        return failsafe.get(failsafeCall);
    }

    @Benchmark
    public Integer resilience4j() throws Throwable {
        return resilience4jCall.get();
    }
}
