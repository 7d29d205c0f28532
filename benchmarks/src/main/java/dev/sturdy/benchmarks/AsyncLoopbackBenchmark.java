package dev.sturdy.benchmarks;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpAsyncClient;
import dev.sturdy.httpclient5.SturdyHttpAsyncClients;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.io.CloseMode;
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
 * The async client's cost: a GET on loopback against {@link CannedServer} (a separate JVM, keep-alive, a
 * fixed two-byte 200), sent with {@code execute(SimpleHttpRequest, null).get()} by
 * <ul>
 *   <li>{@code rawAsync}: HttpClient 5 async set up as sturdy sets up its attempts' client
 *       ({@link Clients#rawAsync}: the same pool, timeouts and select interval, automatic retries off);
 *   <li>{@code sturdyAsync}: {@code SturdyHttpAsyncClients.custom(ResiliencePolicy.recommended()).build()}.
 * </ul>
 * One server process and one client of each kind per trial, shared by the benchmark threads; run with
 * {@code -t 4} for four callers. Each caller waits for its response, so the I/O reactor threads do part
 * of the work: {@code -prof gc} counts their allocations too (it measures the whole JVM), which is what
 * an async client's B/op must include. The wall ratio of separate trials is noisy on a shared machine:
 * {@link AsyncLoopbackInterleaved} pairs the two clients round by round.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class AsyncLoopbackBenchmark {

    CannedServer.Handle server;
    URI uri;
    CloseableHttpAsyncClient raw;
    SturdyHttpAsyncClient sturdy;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = CannedServer.start();
        uri = URI.create("http://127.0.0.1:" + server.port + "/");
        final ResiliencePolicy policy = ResiliencePolicy.recommended();
        raw = Clients.rawAsync(policy);
        sturdy = SturdyHttpAsyncClients.custom(policy).build();
        sturdy.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            raw.close(CloseMode.GRACEFUL);
            sturdy.close(CloseMode.GRACEFUL);
        } finally {
            server.close();
        }
    }

    @Benchmark
    public int rawAsync() throws Exception {
        return Clients.asyncGet(raw, uri);
    }

    @Benchmark
    public int sturdyAsync() throws Exception {
        return Clients.asyncGet(sturdy, uri);
    }
}
