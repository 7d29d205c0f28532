package dev.sturdy.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;

/**
 * Fault scenarios, not JMH: loopback backends in this JVM (raw-socket servers), each scenario driven
 * by many caller threads in a closed loop for a fixed time through three clients side by side:
 * <ol>
 *   <li>raw HttpClient 5 with its defaults ({@code HttpClients.custom().build()}: 5 connections per
 *       route, 25 in all, and its default retry strategy: 429/503 retried once after 1 s, because
 *       {@code Retry-After: 0} is not positive; refused connections are not retried);
 *   <li>HttpClient (automatic retries off, sturdy's pool sizes) inside a hand-rolled Failsafe
 *       {@code RetryPolicy}: 3 retries on IOException or 5xx, backoff 25 ms doubling to 250 ms, 25 % jitter,
 *       no retry budget, {@code Retry-After} not read;
 *   <li>sturdy with {@code ResiliencePolicy.recommended()}, its backoff shortened to 25 ms / 250 ms with
 *       {@code toBuilder()} (recommended is 1 s / 10 s) so the run stays short; everything else as
 *       recommended (3 retries on 5xx incl. connect failures, 3 TCP connect attempts, default retry
 *       budget 20 % / min 3).
 * </ol>
 * Scenarios: a full outage (every request 503) with 32 callers; three replicas of which one is a
 * closed port, called round-robin by the driver, 4 callers (plus Failsafe with the driver picking the next
 * replica on every attempt, and sturdy with an {@code EndpointGroup} of the three doing its own balancing); one backend answering 503 with
 * {@code Retry-After: 0} on 30 % of requests (seeded), 8 callers. Where it tells something, sturdy also
 * runs without its circuit breaker (retries and retry budget alone) and with a retry budget of
 * {@code minRetryConcurrency} 8. Attempts per call are counted on the
 * server side (requests the backends answered / calls); a refused connection never reaches a server,
 * so for the replica scenario sturdy's own counters are printed too.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.sturdy.benchmarks.FaultScenarios [seconds-per-run]}
 */
public final class FaultScenarios {

    private static final long SEED = 20261123L;
    private static final String GROUP_SERVICE = "http://replicas.invalid";
    private static final Duration SHORT_INITIAL = Duration.ofMillis(25);
    private static final Duration SHORT_MAX = Duration.ofMillis(250);
    private static final byte[] OK = RawHttpServer.response(200, "OK", "", "ok");
    private static final byte[] UNAVAILABLE = RawHttpServer.response(503, "Service Unavailable", "", "down");
    private static final byte[] UNAVAILABLE_RETRY_NOW =
            RawHttpServer.response(503, "Service Unavailable", "Retry-After: 0\r\n", "busy");

    private final long runNanos;
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private FaultScenarios(long runNanos) {
        this.runNanos = runNanos;
    }

    /** A client under test, fresh for each scenario. */
    interface Subject extends AutoCloseable {
        String name();

        int call(String url) throws Exception;

        default String counters() {
            return "";
        }

        @Override
        void close() throws IOException;
    }

    /**
     * @param args optional: seconds each client runs in each scenario (default 6)
     */
    public static void main(String[] args) throws Exception {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 6;
        final FaultScenarios fs = new FaultScenarios((long) (seconds * 1e9));
        System.out.printf(Locale.ROOT, "FaultScenarios %s, java %s, %d cpus, %.1f s per client and scenario, seed %d%n",
                LocalDate.now(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                seconds, SEED);
        fs.warmUp();
        fs.fullOutage();
        fs.oneReplicaDead();
        fs.flaky();
        System.out.println();
        System.out.println("| scenario | client | calls | success | attempts/call (server) | p50 ms | p99 ms | notes |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---|");
        fs.rows.forEach(System.out::println);
        System.out.println();
        fs.notes.forEach(System.out::println);
    }

    // ---- clients ----

    static ResiliencePolicy sturdyPolicy() {
        return sturdyPolicy(RetryBudget.defaults());
    }

    static ResiliencePolicy sturdyPolicy(RetryBudget budget) {
        return sturdyPolicy(budget, true);
    }

    static ResiliencePolicy sturdyPolicy(RetryBudget budget, boolean circuitBreaker) {
        final ResiliencePolicy recommended = ResiliencePolicy.recommended();
        final HttpRetryPolicy retry = recommended.retry().orElseThrow().toBuilder()
                .backoff(SHORT_INITIAL, SHORT_MAX)
                .budget(budget)
                .build();
        final ResiliencePolicy.Builder b = recommended.toBuilder().retry(retry);
        return (circuitBreaker ? b : b.noCircuitBreaker()).build();
    }

    /** sturdy recommended without its circuit breaker: retries and the retry budget alone. */
    private static Subject sturdyNoBreaker(RetryBudget budget, String name) {
        return sturdy(SturdyHttpClients.custom(sturdyPolicy(budget, false)).build(), name);
    }

    private static Subject httpClientDefaults() {
        final CloseableHttpClient client = HttpClients.custom().build();
        return new Subject() {
            @Override public String name() { return "HttpClient 5 defaults"; }
            @Override public int call(String url) throws Exception { return client.execute(new HttpGet(url), Clients.READ_BODY); }
            @Override public void close() throws IOException { client.close(); }
        };
    }

    private static Subject failsafeRetry() {
        final CloseableHttpClient client = Clients.raw(sturdyPolicy());
        final FailsafeExecutor<Integer> failsafe = Failsafe.with(RetryPolicy.<Integer>builder()
                .handle(IOException.class)
                .handleResultIf(status -> status >= 500)
                .withMaxRetries(3)
                .withBackoff(SHORT_INITIAL, SHORT_MAX)
                .withJitter(0.25)
                .build());
        return new Subject() {
            @Override public String name() { return "HttpClient + Failsafe retry"; }
            @Override public int call(String url) { return failsafe.get(() -> client.execute(new HttpGet(url), Clients.READ_BODY)); }
            @Override public void close() throws IOException { client.close(); }
        };
    }

    /** Failsafe where the driver picks the next replica on every attempt (what endpoint-aware retry would do). */
    private static Subject failsafeRotating(LongSupplier next, String[] urls) {
        final CloseableHttpClient client = Clients.raw(sturdyPolicy());
        final FailsafeExecutor<Integer> failsafe = Failsafe.with(RetryPolicy.<Integer>builder()
                .handle(IOException.class)
                .handleResultIf(status -> status >= 500)
                .withMaxRetries(3)
                .withBackoff(SHORT_INITIAL, SHORT_MAX)
                .withJitter(0.25)
                .build());
        return new Subject() {
            @Override public String name() { return "Failsafe retry, next replica per attempt (driver)"; }
            @Override public int call(String ignored) {
                return failsafe.get(() -> client.execute(new HttpGet(urls[(int) (next.getAsLong() % urls.length)]),
                        Clients.READ_BODY));
            }
            @Override public void close() throws IOException { client.close(); }
        };
    }

    private static Subject sturdy() {
        return sturdy(RetryBudget.defaults(), "sturdy recommended (backoff 25/250 ms)");
    }

    private static Subject sturdy(RetryBudget budget, String name) {
        return sturdy(SturdyHttpClients.custom(sturdyPolicy(budget)).build(), name);
    }

    private static Subject sturdy(SturdyHttpClient client, String name) {
        return new Subject() {
            @Override public String name() { return name; }
            @Override public int call(String url) throws Exception { return client.execute(new HttpGet(url), Clients.READ_BODY); }
            @Override public String counters() {
                final var m = client.metrics();
                return "rq_total " + m.get(ResilienceCounter.RQ_TOTAL) + ", rq_retry " + m.get(ResilienceCounter.RQ_RETRY)
                        + ", rq_retry_overflow " + m.get(ResilienceCounter.RQ_RETRY_OVERFLOW)
                        + ", cx_connect_fail " + m.get(ResilienceCounter.CX_CONNECT_FAIL);
            }
            @Override public void close() throws IOException { client.close(); }
        };
    }

    // ---- scenarios ----

    private void warmUp() throws Exception {
        try (RawHttpServer ok = new RawHttpServer("warm", n -> OK)) {
            final String url = "http://127.0.0.1:" + ok.port() + "/";
            for (Subject s : List.of(httpClientDefaults(), failsafeRetry(), sturdy())) {
                try (s) {
                    drive(s, 4, 1_500_000_000L, () -> url);
                }
            }
        }
    }

    private void fullOutage() throws Exception {
        try (RawHttpServer down = new RawHttpServer("outage", n -> UNAVAILABLE)) {
            final String url = "http://127.0.0.1:" + down.port() + "/";
            for (Subject s : List.of(httpClientDefaults(), failsafeRetry(), sturdy(),
                    sturdyNoBreaker(RetryBudget.defaults(), "sturdy recommended without circuit breaker (budget only)"))) {
                scenario("full outage (all 503), 32 callers", s, 32, down::requests, () -> url);
            }
        }
    }

    private void oneReplicaDead() throws Exception {
        final int deadPort;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            deadPort = probe.getLocalPort(); // closed below: connections to it are refused
        }
        try (RawHttpServer a = new RawHttpServer("replica-a", n -> OK);
             RawHttpServer b = new RawHttpServer("replica-b", n -> OK)) {
            final String[] urls = {
                "http://127.0.0.1:" + a.port() + "/",
                "http://127.0.0.1:" + deadPort + "/",
                "http://127.0.0.1:" + b.port() + "/",
            };
            final LongSupplier served = () -> a.requests() + b.requests();
            final AtomicLong roundRobin = new AtomicLong();
            final String title = "1 of 3 replicas refuses connections, round-robin, 4 callers";
            for (Subject s : List.of(httpClientDefaults(), failsafeRetry(), sturdy())) {
                scenario(title, s, 4, served, () -> urls[(int) (roundRobin.getAndIncrement() % urls.length)]);
            }
            final AtomicLong perAttempt = new AtomicLong();
            scenario(title, failsafeRotating(perAttempt::getAndIncrement, urls), 4, served, () -> urls[0]);
            // sturdy's own endpoint group over the same three replicas: the driver calls the service name
            final EndpointGroup group = EndpointGroup.of(GROUP_SERVICE, urls[0].substring(0, urls[0].length() - 1),
                    urls[1].substring(0, urls[1].length() - 1), urls[2].substring(0, urls[2].length() - 1));
            final SturdyHttpClient grouped = SturdyHttpClients.custom(sturdyPolicy()).endpointGroup(group).build();
            scenario(title, sturdy(grouped, "sturdy recommended + EndpointGroup of the 3 (sturdy balances)"), 4,
                    served, () -> GROUP_SERVICE + "/");
        }
    }

    private void flaky() throws Exception {
        // 503 + Retry-After: 0 on 30 % of requests, decided by the request number and the seed
        final RawHttpServer.Responder responder = n -> uniform(SEED, n) < 0.30 ? UNAVAILABLE_RETRY_NOW : OK;
        try (RawHttpServer flaky = new RawHttpServer("flaky", responder)) {
            final String url = "http://127.0.0.1:" + flaky.port() + "/";
            final String title = "30 % 503 + Retry-After: 0, 8 callers";
            for (Subject s : List.of(httpClientDefaults(), failsafeRetry(), sturdy())) {
                scenario(title, s, 8, flaky::requests, () -> url);
            }
            // without the breaker (a lone endpoint is ejected after 5 consecutive 5xx), then also with a
            // retry budget that lets every one of the 8 callers retry at once
            scenario(title, sturdyNoBreaker(RetryBudget.defaults(), "sturdy recommended without circuit breaker"), 8,
                    flaky::requests, () -> url);
            scenario(title, sturdyNoBreaker(RetryBudget.of(20, 8),
                    "sturdy without circuit breaker, budget minRetryConcurrency 8"), 8, flaky::requests, () -> url);
        }
    }

    static double uniform(long seed, long n) {
        long z = seed + (n + 1) * 0x9E3779B97F4A7C15L; // SplitMix64
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    // ---- driver ----

    private void scenario(String title, Subject subject, int threads, LongSupplier served,
                          java.util.function.Supplier<String> url) throws Exception {
        final Run run;
        final long before = served.getAsLong();
        try (subject) {
            run = drive(subject, threads, runNanos, url);
            final long requests = served.getAsLong() - before;
            final long[] lat = run.latencies;
            final String row = String.format(Locale.ROOT, "| %s | %s | %d | %.2f %% | %.3f | %.2f | %.2f | %s |",
                    title, subject.name(), lat.length, 100.0 * run.ok / lat.length, (double) requests / lat.length,
                    percentile(lat, 0.50) / 1e6, percentile(lat, 0.99) / 1e6, run.failureSummary());
            rows.add(row);
            System.out.println(row);
            final String counters = subject.counters();
            if (!counters.isEmpty()) {
                final String note = String.format(Locale.ROOT, "- %s / %s: %s over %d calls (%.3f attempts/call as sturdy counts them)",
                        title, subject.name(), counters, lat.length,
                        (double) parseFirst(counters) / lat.length);
                notes.add(note);
                System.out.println(note);
            }
        }
    }

    private static long parseFirst(String counters) {
        return Long.parseLong(counters.split("[ ,]+")[1]);
    }

    private static final class Run {
        long[] latencies;
        long ok;
        final java.util.Map<String, Long> failures = new java.util.TreeMap<>();

        String failureSummary() {
            if (failures.isEmpty()) {
                return "";
            }
            final StringBuilder sb = new StringBuilder("failures: ");
            failures.forEach((k, v) -> sb.append(k).append(" x").append(v).append("; "));
            return sb.substring(0, sb.length() - 2);
        }
    }

    private static Run drive(Subject subject, int threads, long nanos, java.util.function.Supplier<String> url)
            throws InterruptedException {
        final CountDownLatch start = new CountDownLatch(1);
        final long[][] perThread = new long[threads][];
        final int[] counts = new int[threads];
        final long[] oks = new long[threads];
        final List<java.util.Map<String, Long>> failures = new ArrayList<>();
        final Thread[] workers = new Thread[threads];
        final long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            final int id = t;
            final java.util.Map<String, Long> myFailures = new java.util.HashMap<>();
            failures.add(myFailures);
            workers[t] = new Thread(() -> {
                long[] lat = new long[1024];
                int n = 0;
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() - deadline[0] < 0) {
                    final long t0 = System.nanoTime();
                    boolean ok = false;
                    String failure;
                    try {
                        final int status = subject.call(url.get());
                        ok = status == 200;
                        failure = ok ? null : "status " + status;
                    } catch (Exception e) {
                        Throwable c = e;
                        while (c.getCause() != null && !(c instanceof IOException)) {
                            c = c.getCause();
                        }
                        failure = c.getClass().getSimpleName();
                    }
                    final long took = System.nanoTime() - t0;
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = took;
                    if (ok) {
                        oks[id]++;
                    } else {
                        myFailures.merge(failure, 1L, Long::sum);
                    }
                }
                perThread[id] = lat;
                counts[id] = n;
            }, "caller-" + t);
            workers[t].start();
        }
        deadline[0] = System.nanoTime() + nanos;
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        final Run run = new Run();
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        run.latencies = new long[total];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(perThread[t], 0, run.latencies, at, counts[t]);
            at += counts[t];
            run.ok += oks[t];
            failures.get(t).forEach((k, v) -> run.failures.merge(k, v, Long::sum));
        }
        Arrays.sort(run.latencies);
        return run;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        final int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
