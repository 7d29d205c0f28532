package dev.sturdy.examples;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.EndpointGroup;
import dev.sturdy.HeaderMatch;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TcpRetryPolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The one-command demo: the failures sturdy exists for, side by side. It starts local replicas on
 * {@code 127.0.0.1} that fail on purpose, runs the same workload through a plain HttpClient 5 client and
 * through a sturdy client, and prints a table per scenario (success rate, p50/p99 latency, attempts per
 * call as the replicas counted them, retries and ejections as sturdy counted them).
 *
 * <ol>
 *   <li>Blue/green switch: one of three replicas refuses connections for a while, then comes back.</li>
 *   <li>Overload: a replica answers {@code 503} with {@code Retry-After: 1}.</li>
 *   <li>A slow replica: some requests take far longer than the timeout.</li>
 *   <li>A TLS replica that accepts TCP connections but never answers the handshake.</li>
 *   <li>Responses carrying {@code x-ms-retriable: true}, and {@code 409 Conflict}.</li>
 * </ol>
 *
 * <p>Every number printed is measured during the run. Timings are shortened so that the whole demo takes
 * about 30 seconds: backoff of tens of milliseconds and timeouts of hundreds (production values are
 * seconds). The plain client calls a replica picked per call from a seeded random sequence (it has no
 * notion of replicas); sturdy calls {@code http://replicas} through an {@link EndpointGroup} over the
 * three, so each attempt goes to a replica that is not ejected and a retry prefers one not tried yet,
 * and its circuit breaker ({@link #demoBreaker()}) ejects a failing replica for half a second and more.
 * Each replica names itself in the {@code x-demo-replica} response header. Both clients start each run
 * with open connections, and sturdy runs first in each scenario.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples -am compile exec:java -Dexec.mainClass=dev.sturdy.examples.Demo}.
 *
 * <p>Thread-safety: one {@code Demo} runs once, from one thread.
 */
public final class Demo {

    /** Calls per client and scenario in the full demo: {@value}. */
    public static final int DEFAULT_CALLS = 60;
    /** Threads making calls in the full demo: {@value}. */
    public static final int DEFAULT_THREADS = 4;
    /** How long the calls of one run are spread over in the full demo: 2 s. */
    public static final Duration DEFAULT_SPREAD = ofSeconds(2);

    private static final long SEED = 0x5eed_2024L;
    private static final String[] REPLICA_NAMES = {"A", "B", "C"};
    /** Marks the calls that open connections before a run; the replicas answer them 200 at once. */
    private static final String WARM_UP_HEADER = "x-demo-warm-up";

    /** The connect timeout of both clients (TCP connect; for sturdy also the TLS handshake). */
    private static final Duration CONNECT_TIMEOUT = ofMillis(200);
    /** sturdy's per-try timeout, and the plain client's response (socket read) timeout. */
    private static final Duration PER_TRY_TIMEOUT = ofMillis(400);
    /** How long the demo breaker ejects a replica the first time. */
    private static final Duration BASE_EJECTION_TIME = ofMillis(500);
    /** The response header in which each replica names itself: A, B or C. */
    static final String REPLICA_HEADER = "x-demo-replica";
    /** The logical service of the endpoint group sturdy sends every call to. */
    private static final String SERVICE_HOST = "replicas";
    /**
     * The service over TLS: a name the demo certificate carries, since sturdy checks a group member's
     * certificate against the service's name (the replicas are only where to connect).
     */
    private static final String TLS_SERVICE_HOST = "localhost";

    private final int calls;
    private final int threads;
    private final Duration spread;
    private final PrintStream out;
    private final boolean liveProgress;

    /**
     * A demo with the given size; {@link #main(String[])} uses {@link #DEFAULT_CALLS},
     * {@link #DEFAULT_THREADS} and {@link #DEFAULT_SPREAD}. The failure windows of the scenarios are
     * fractions of {@code spread}.
     *
     * @param calls        calls per client and scenario, at least 3
     * @param threads      threads making the calls, at least 1
     * @param spread       the calls of one run start evenly over this time (later when every thread is busy)
     * @param out          where the tables go
     * @param liveProgress true to redraw a progress line with carriage returns (for a terminal)
     */
    public Demo(int calls, int threads, Duration spread, PrintStream out, boolean liveProgress) {
        if (calls < 3) {
            throw new IllegalArgumentException("calls: " + calls + " (expected: >= 3)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (spread == null || spread.toMillis() < 100) {
            throw new IllegalArgumentException("spread: " + spread + " (expected: >= PT0.1S)");
        }
        this.calls = calls;
        this.threads = threads;
        this.spread = spread;
        this.out = Objects.requireNonNull(out, "out");
        this.liveProgress = liveProgress;
    }

    /**
     * Runs the full demo and prints its tables to standard output.
     *
     * @param args scenario numbers to run (e.g. {@code 2 4}); none: all of them
     * @throws Exception if a local server cannot start
     */
    public static void main(String[] args) throws Exception {
        final int[] only = Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        new Demo(DEFAULT_CALLS, DEFAULT_THREADS, DEFAULT_SPREAD, System.out, System.console() != null).run(only);
    }

    /**
     * The measurements of one client in one scenario.
     *
     * @param client         "plain" or "sturdy"
     * @param calls          calls made
     * @param succeeded      calls that ended with a 2xx response
     * @param p50Millis      median call latency, failed calls included
     * @param p99Millis      99th percentile call latency (nearest rank), failed calls included
     * @param attemptsPerCall HTTP requests the replicas received, divided by {@code calls}
     * @param requestsByReplica HTTP requests each replica (A, B, C) received during the run
     * @param retries        sturdy's {@code rq_retry} counter, -1 for the plain client (not counted)
     * @param ejections      sturdy's {@code ejections_total} counter, -1 for the plain client
     * @param failures       how the failed calls ended and how often, e.g. {@code "status 503 from B"} or
     *                       {@code "SocketTimeoutException from C"}
     * @param counters       sturdy's counters after the run (empty for the plain client)
     * @param serverNote     what the replicas saw besides requests (e.g. stalled handshakes), or ""
     */
    public record RunStats(String client, int calls, int succeeded, double p50Millis, double p99Millis,
                           double attemptsPerCall, Map<String, Integer> requestsByReplica, long retries,
                           long ejections, Map<String, Integer> failures,
                           Map<ResilienceCounter, Long> counters, String serverNote) {
        /** @return the share of calls that succeeded, in [0, 1] */
        public double successRate() {
            return calls == 0 ? 0 : (double) succeeded / calls;
        }
    }

    /**
     * The outcome of one scenario: the same workload through both clients.
     *
     * @param number   1-based scenario number
     * @param name     short name, e.g. {@code "blue/green switch"}
     * @param policy   the sturdy policy used
     * @param plain    the plain client's measurements
     * @param sturdy   sturdy's measurements
     */
    public record ScenarioResult(int number, String name, ResiliencePolicy policy, RunStats plain, RunStats sturdy) {
    }

    /**
     * Runs the five scenarios, printing a table after each and a summary at the end.
     *
     * @return the measurements, one entry per scenario
     * @throws IOException if a local server cannot start
     * @throws InterruptedException if interrupted
     */
    public List<ScenarioResult> run() throws IOException, InterruptedException {
        return run(new int[0]);
    }

    /**
     * Runs some of the scenarios, printing a table after each and a summary at the end.
     *
     * @param only the numbers (1 to 5) of the scenarios to run; empty: all of them
     * @return the measurements, one entry per scenario run
     * @throws IOException if a local server cannot start
     * @throws InterruptedException if interrupted
     */
    public List<ScenarioResult> run(int... only) throws IOException, InterruptedException {
        final long started = System.nanoTime();
        final List<Scenario> scenarios = scenarios();
        final Set<Integer> selected = Arrays.stream(only).boxed().collect(Collectors.toSet());
        printIntro(scenarios.size());
        final List<ScenarioResult> results = new ArrayList<>();
        out.println();
        out.printf("Warming up the JVM with throw-away HTTP and TLS calls through both clients, so that neither pays%n"
                + "for JIT compilation in its run: %.1f s. In each scenario sturdy runs first, so any cost left%n"
                + "counts against sturdy.%n", warmUp().toMillis() / 1000.0);
        for (Scenario s : scenarios) {
            if (!selected.isEmpty() && !selected.contains(s.number)) {
                continue;
            }
            out.println();
            printWrapped("", String.format("[%d/%d] %s: %s", s.number, scenarios.size(), s.name, s.what));
            printWrapped("      ", "sturdy policy: " + Policies.describe(s.policy));
            out.printf("      %-8s %18s %9s %9s %14s %8s %10s%n",
                    "client", "success", "p50", "p99", "attempts/call", "retries", "ejections");
            // sturdy runs first: if the JVM is still not fully warm, the cost counts against sturdy
            final RunStats sturdy = runOnce(s, "sturdy");
            final RunStats plain = runOnce(s, "plain");
            printRow(plain);
            printRow(sturdy);
            printNotes(plain, sturdy, s.policy);
            printWrapped("      ", s.lesson);
            results.add(new ScenarioResult(s.number, s.name, s.policy, plain, sturdy));
        }
        printSummary(results);
        out.printf("%nDone in %.1f s. Every number above was measured in this run.%n",
                (System.nanoTime() - started) / 1e9);
        return results;
    }

    // ---------------------------------------------------------------------------------------------
    // The scenarios

    /** The sturdy policy of scenarios 1 to 4: one policy for every failure of the plain HTTP scenarios. */
    static ResiliencePolicy demoPolicy() {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder()
                        .connectTimeout(CONNECT_TIMEOUT)    // TCP connect and TLS handshake, each try
                        .perTryTimeout(PER_TRY_TIMEOUT)     // one attempt
                        .responseTimeout(ofSeconds(3))      // the whole call, retries and waits included
                        .build())
                .retry(HttpRetryPolicy.builder()
                        .maxRetries(5)
                        .backoff(ofMillis(50), ofMillis(400)) // full jitter: retry N waits [0, min(400, (2^N-1)*50)) ms
                        .retryOn(RetryOn.FIVE_XX)            // 5xx, connect failures, resets, per-try timeouts
                        .build())                            // Retry-After honoured (default), budget 20 % / min 3
                .tcpRetry(TcpRetryPolicy.maxConnectAttempts(3))
                .circuitBreaker(demoBreaker())
                .build();
    }

    /**
     * The circuit breaker of the demo policy, scaled to the demo's short runs: a replica is ejected after
     * 2 errors in a row (5xx, refused or failed connects, resets, per-try timeouts) for 500 ms, twice that
     * the second time (on probation one error is enough), at most 2 s; each error-free 200 ms lowers the
     * multiplier again. 50 % of three replicas is one: one replica may be ejected at a time, so two always
     * take the traffic. The production defaults (5 errors, 30 s, 10 %) would never eject anything in a run
     * of two seconds over three replicas.
     */
    static CircuitBreakerPolicy demoBreaker() {
        return CircuitBreakerPolicy.builder()
                .consecutiveErrors(2)
                .baseEjectionTime(BASE_EJECTION_TIME)
                .maxEjectionTime(ofSeconds(2))
                .interval(ofMillis(200))
                .maxEjectionPercent(50)
                .build();
    }

    /** The sturdy policy of scenario 5: the demo policy plus the two retriable responses. */
    static ResiliencePolicy retriableResponsesPolicy() {
        final ResiliencePolicy base = demoPolicy();
        return base.toBuilder()
                .retry(base.retry().orElseThrow().toBuilder()
                        .retryOn(RetryOn.FIVE_XX, RetryOn.RETRIABLE_4XX, RetryOn.RETRIABLE_HEADERS)
                        .header(HeaderMatch.exact("x-ms-retriable", "true"))
                        .build())
                .build();
    }

    private List<Scenario> scenarios() {
        final long s = spread.toMillis();
        final long downAt = s / 4;
        final long downFor = s / 5;
        final long overloadFor = s * 3 / 4;
        final long slowAt = s / 4;
        final long slowFor = s * 3 / 10;
        final long stallAt = s / 4;
        final long stallFor = s * 3 / 10;
        final String base = BASE_EJECTION_TIME.toMillis() + " ms";
        final List<Scenario> list = new ArrayList<>();

        list.add(new Scenario(1, "blue/green switch",
                "replica C closes its port " + downAt + " ms into the run (connection refused) and listens again "
                        + downFor + " ms later",
                "lesson: closing the port also drops C's open connections, so a request on one of them gets no "
                        + "response and a new connection is refused. A GET is idempotent and a refused connection never "
                        + "sent anything, so sturdy retries both, on A or B (a replica the call has not tried), and after "
                        + "2 failures in a row ejects C for " + base + ": no call is sent to C while it is ejected. When "
                        + "the ejection ends C is back on probation; one more failure (often another connection that died "
                        + "with the port) ejects it again, for twice as long. HttpClient has no notion of replicas and does "
                        + "not retry a refused connection: calls picked for C while it is down fail.",
                false, demoPolicy(), clock -> {
                    final Replicas r = Replicas.plain((replica, request) -> LoopbackServer.Reply.of(200, "ok"));
                    final LoopbackServer c = r.servers.get(2);
                    clock.at(downAt, c::down);
                    clock.at(downAt + downFor, () -> {
                        try {
                            c.up();
                        } catch (IOException e) {
                            throw new IllegalStateException("replica C could not bind its port again", e);
                        }
                    });
                    return r;
                }, r -> ""));

        list.add(new Scenario(2, "overload with Retry-After",
                "replica B answers 503 with Retry-After: 1 for the first " + overloadFor + " ms of the run",
                "lesson: a 503 counts against B: after 2 in a row B is ejected for " + base + "; back on probation, "
                        + "one more 503 ejects it again for longer, so most calls never meet the overload. A call "
                        + "that got a 503 waits what Retry-After asks (sturdy honours it even though the retry goes to "
                        + "another replica; never past the " + Policies.human(demoPolicy().timeouts().responseTimeout())
                        + " deadline), then retries on A or C. HttpClient does not retry: Retry-After (1 s) exceeds its "
                        + PER_TRY_TIMEOUT.toMillis() + " ms response timeout.",
                false, demoPolicy(), clock -> Replicas.plain((replica, request) -> {
                    if ("B".equals(replica) && clock.elapsedMillis() < overloadFor) {
                        return LoopbackServer.Reply.of(503, "overloaded").withHeader("Retry-After", "1");
                    }
                    return LoopbackServer.Reply.of(200, "ok");
                }), r -> ""));

        list.add(new Scenario(3, "slow replica",
                "from " + slowAt + " ms for " + slowFor + " ms every request replica C receives takes 2 s (a long "
                        + "GC pause, a noisy neighbour); the per-try timeout is " + PER_TRY_TIMEOUT.toMillis() + " ms",
                "lesson: a per-try timeout is a retriable failure and counts against C: sturdy cuts the slow "
                        + "attempt, retries on A or B and gets a fast answer, and after 2 timeouts in a row ejects C, "
                        + "so later calls are not sent to it. HttpClient's read timeout fails the call (it does not "
                        + "retry timeouts).",
                false, demoPolicy(), clock -> Replicas.plain((replica, request) -> {
                    final long now = clock.elapsedMillis();
                    final boolean slow = "C".equals(replica) && now >= slowAt && now < slowAt + slowFor;
                    return LoopbackServer.Reply.of(200, "ok").delayed(slow ? 2000 : 0);
                }), r -> ""));

        list.add(new Scenario(4, "TLS handshake that never completes",
                "HTTPS replicas; from " + stallAt + " ms for " + stallFor + " ms replica C accepts TCP connections "
                        + "but never answers their TLS handshake (a stuck TLS terminator)",
                "lesson: both clients bound the handshake with their " + CONNECT_TIMEOUT.toMillis()
                        + " ms connect timeout (HttpClient 5.6 does too). The stall also drops C's open connections; "
                        + "requests on them fail and sturdy retries them on A or B, and after 2 failures in a row ejects "
                        + "C, so it often starts few or no handshakes with C at all (cx_connect_fail and \"never got a "
                        + "handshake reply\" show how many). A handshake that does time out is, for sturdy, a connect "
                        + "failure (the request never left): it tries the handshake up to 3 times on the same replica, "
                        + "then retries the call on another. HttpClient fails the calls that needed a new connection to C.",
                true, demoPolicy(), clock -> {
                    final Replicas r = Replicas.tls((replica, request) -> LoopbackServer.Reply.of(200, "ok"));
                    final LoopbackServer c = r.servers.get(2);
                    clock.at(stallAt, () -> c.stallHandshakes(true));
                    clock.at(stallAt + stallFor, () -> c.stallHandshakes(false));
                    return r;
                }, r -> "replica C: " + r.servers.get(2).connectionsStalled() + " connection(s) never got a handshake reply"));

        list.add(new Scenario(5, "x-ms-retriable and 409",
                "PUT calls; replica B answers 409 Conflict, replica C 404 with x-ms-retriable: true, to the first "
                        + "0, 1 or 2 attempts of a call (by call number) when they reach B or C",
                "lesson: retriable-4xx retries 409 and retriable-headers retries whatever the server marks "
                        + "retriable, on another replica; PUT is idempotent, so retrying it is safe. A 4xx never counts "
                        + "against a replica, so nothing is ejected. HttpClient retries neither.",
                false, retriableResponsesPolicy(), clock -> {
                    final Map<String, AtomicInteger> attemptsByCall = new ConcurrentHashMap<>();
                    return Replicas.plain((replica, request) -> {
                        final String call = request.header("x-demo-call");
                        final int attempt = attemptsByCall.computeIfAbsent(call, k -> new AtomicInteger()).incrementAndGet();
                        final int transientFailures = Integer.parseInt(call) % 3;
                        if (attempt <= transientFailures && "B".equals(replica)) {
                            return LoopbackServer.Reply.of(409, "version conflict, try again");
                        }
                        if (attempt <= transientFailures && "C".equals(replica)) {
                            return LoopbackServer.Reply.of(404, "not replicated yet").withHeader("x-ms-retriable", "true");
                        }
                        return LoopbackServer.Reply.of(200, "stored");
                    });
                }, r -> "").withMethod("PUT"));
        return list;
    }

    /** A scenario: what goes wrong, the sturdy policy, and how to start its three replicas for one run. */
    private static final class Scenario {
        final int number;
        final String name;
        final String what;
        final String lesson;
        final boolean tls;
        final ResiliencePolicy policy;
        final ReplicaSetup setup;
        final Function<Replicas, String> serverNote;
        String method = "GET";

        Scenario(int number, String name, String what, String lesson, boolean tls, ResiliencePolicy policy,
                 ReplicaSetup setup, Function<Replicas, String> serverNote) {
            this.number = number;
            this.name = name;
            this.what = what;
            this.lesson = lesson;
            this.tls = tls;
            this.policy = policy;
            this.setup = setup;
            this.serverNote = serverNote;
        }

        Scenario withMethod(String m) {
            this.method = m;
            return this;
        }
    }

    /** Chooses the answer of one replica (named A, B or C) to one request. */
    @FunctionalInterface
    private interface ReplicaHandler {
        LoopbackServer.Reply handle(String replica, LoopbackServer.Request request) throws InterruptedException;
    }

    /** Starts the replicas of one run and puts their failures on the run's timeline. */
    @FunctionalInterface
    private interface ReplicaSetup {
        Replicas start(RunClock clock) throws IOException;
    }

    /**
     * The time of one run: milliseconds since its start (for failure windows inside request handlers),
     * and actions at fixed times after the start (a port closing, handshakes stalling).
     */
    private static final class RunClock implements AutoCloseable {
        private final List<Map.Entry<Long, Runnable>> actions = new ArrayList<>();
        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "demo-timeline");
            t.setDaemon(true);
            return t;
        });
        private volatile long startNanos = System.nanoTime();

        void at(long millis, Runnable action) {
            actions.add(Map.entry(millis, action));
        }

        void start() {
            startNanos = System.nanoTime();
            for (Map.Entry<Long, Runnable> a : actions) {
                scheduler.schedule(a.getValue(), a.getKey(), TimeUnit.MILLISECONDS);
            }
        }

        long elapsedMillis() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }

        @Override
        public void close() {
            scheduler.shutdownNow();
        }
    }

    /** The three replicas A, B, C of one run. */
    private static final class Replicas implements Closeable {
        final List<LoopbackServer> servers;

        private Replicas(List<LoopbackServer> servers) {
            this.servers = servers;
        }

        static Replicas plain(ReplicaHandler handler) throws IOException {
            return start(handler, null);
        }

        static Replicas tls(ReplicaHandler handler) throws IOException {
            return start(handler, DemoTls.server());
        }

        private static Replicas start(ReplicaHandler handler, SSLContext tls) throws IOException {
            final List<LoopbackServer> list = new ArrayList<>();
            try {
                for (String name : REPLICA_NAMES) {
                    // every answer names the replica that gave it; the calls that open the clients'
                    // connections before a run are always answered at once
                    final LoopbackServer.Handler replica = request -> (request.header(WARM_UP_HEADER) != null
                            ? LoopbackServer.Reply.of(200, "ok") : handler.handle(name, request))
                            .withHeader(REPLICA_HEADER, name);
                    list.add(LoopbackServer.start("replica-" + name, replica, tls));
                }
            } catch (IOException e) {
                list.forEach(LoopbackServer::close);
                throw e;
            }
            return new Replicas(List.copyOf(list));
        }

        int requests() {
            return servers.stream().mapToInt(LoopbackServer::requests).sum();
        }

        int[] requestsByReplica() {
            return servers.stream().mapToInt(LoopbackServer::requests).toArray();
        }

        String[] urls() {
            return servers.stream().map(LoopbackServer::baseUrl).toArray(String[]::new);
        }

        /** @return the replica whose port a text (an exception message) names, or null */
        String named(String text) {
            if (text != null) {
                for (int i = 0; i < servers.size(); i++) {
                    if (text.contains("127.0.0.1:" + servers.get(i).port())) {
                        return REPLICA_NAMES[i];
                    }
                }
            }
            return null;
        }

        @Override
        public void close() {
            servers.forEach(LoopbackServer::close);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // One run: the workload through one client

    private RunStats runOnce(Scenario s, String clientName) throws IOException, InterruptedException {
        final boolean sturdy = "sturdy".equals(clientName);
        try (RunClock clock = new RunClock();
             Replicas replicas = s.setup.start(clock);
             CloseableHttpClient client = sturdy ? sturdyClient(s.policy, s.tls, group(s.tls, replicas)) : plainClient(s.tls)) {
            final String[] urls = replicas.urls();
            final String service = serviceUrl(s.tls);
            final int[] replicaOf = new int[calls];
            final SplittableRandom picks = new SplittableRandom(SEED + s.number);
            for (int i = 0; i < calls; i++) {
                replicaOf[i] = picks.nextInt(urls.length);
            }
            // like a service's client, each client starts with open connections to every replica; sturdy's
            // through the service, whose round-robin spreads them (a connection to a member made for the
            // group is not one made for the member's own URL: over TLS it names the service)
            final String[] warmUp = urls.clone();
            if (sturdy) {
                Arrays.fill(warmUp, service);
            }
            openConnections(client, warmUp);
            final int requestsBefore = replicas.requests();
            final int[] requestsBeforeByReplica = replicas.requestsByReplica();
            final Map<ResilienceCounter, Long> countersBefore = sturdy
                    ? ((SturdyHttpClient) client).metrics().snapshot() : Map.of();

            final double[] latencyMillis = new double[calls];
            final String[] failure = new String[calls]; // null = success
            final AtomicInteger next = new AtomicInteger();
            final AtomicInteger done = new AtomicInteger();
            final CountDownLatch finished = new CountDownLatch(threads);
            final long spreadNanos = spread.toNanos();

            clock.start();
            final long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                final Thread worker = new Thread(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                            final long due = start + i * spreadNanos / calls;
                            final long wait = due - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            final long t0 = System.nanoTime();
                            // the plain client calls the replica the seeded sequence picked; sturdy calls the
                            // group's service and lets the group pick a replica per attempt
                            failure[i] = sturdy ? call(client, s.method, service, null, replicas, i)
                                    : call(client, s.method, urls[replicaOf[i]], REPLICA_NAMES[replicaOf[i]], replicas, i);
                            latencyMillis[i] = (System.nanoTime() - t0) / 1e6;
                            done.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        finished.countDown();
                    }
                }, "demo-" + clientName + "-" + t);
                worker.setDaemon(true);
                worker.start();
            }
            while (!finished.await(100, TimeUnit.MILLISECONDS)) {
                progress(clientName, done.get(), start);
            }
            progress(null, 0, 0);

            final int succeeded = (int) Arrays.stream(failure).filter(Objects::isNull).count();
            final Map<String, Integer> failures = new TreeMap<>();
            for (String f : failure) {
                if (f != null) {
                    failures.merge(f, 1, Integer::sum);
                }
            }
            final double[] sorted = latencyMillis.clone();
            Arrays.sort(sorted);
            final double attemptsPerCall = (double) (replicas.requests() - requestsBefore) / calls;
            final int[] requestsAfterByReplica = replicas.requestsByReplica();
            final Map<String, Integer> byReplica = new TreeMap<>();
            for (int r = 0; r < REPLICA_NAMES.length; r++) {
                byReplica.put(REPLICA_NAMES[r], requestsAfterByReplica[r] - requestsBeforeByReplica[r]);
            }
            final String note = s.serverNote.apply(replicas);
            if (sturdy) {
                final Map<ResilienceCounter, Long> counters = new EnumMap<>(ResilienceCounter.class);
                ((SturdyHttpClient) client).metrics().snapshot().forEach((counter, value) -> counters.put(counter,
                        counter == ResilienceCounter.EJECTIONS_ACTIVE ? value : value - countersBefore.getOrDefault(counter, 0L)));
                return new RunStats(clientName, calls, succeeded, percentile(sorted, 50), percentile(sorted, 99),
                        attemptsPerCall, Map.copyOf(byReplica), counters.get(ResilienceCounter.RQ_RETRY),
                        counters.get(ResilienceCounter.EJECTIONS_TOTAL), failures, Map.copyOf(counters), note);
            }
            return new RunStats(clientName, calls, succeeded, percentile(sorted, 50), percentile(sorted, 99),
                    attemptsPerCall, Map.copyOf(byReplica), -1, -1, failures, Map.of(), note);
        }
    }

    /**
     * Makes throw-away calls through both kinds of client from as many threads as the runs use, over
     * HTTP for half a second and over TLS (a new handshake per call) for one and a half, so that the JIT
     * has compiled the hot code before anything is measured: in a cold JVM the first concurrent TLS
     * handshakes can take longer than the 200 ms connect timeout, which would count against whichever
     * client runs first.
     *
     * @return how long it took
     */
    private Duration warmUp() throws IOException, InterruptedException {
        final long start = System.nanoTime();
        final AtomicInteger done = new AtomicInteger();
        final ResiliencePolicy patient = demoPolicy().toBuilder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(ofSeconds(5)).responseTimeout(ofSeconds(10)).build())
                .noCircuitBreaker() // a slow first handshake must not eject the warm-up server
                .build();
        for (boolean tls : new boolean[] {false, true}) {
            final long phaseEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tls ? 1500 : 500);
            try (LoopbackServer server = LoopbackServer.start("warm-up", r -> LoopbackServer.Reply.of(200, "ok"),
                         tls ? DemoTls.server() : null);
                 CloseableHttpClient plain = HttpClients.custom()
                         .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                 .setTlsSocketStrategy(DemoTls.clientStrategy())
                                 .build())
                         .build();
                 CloseableHttpClient sturdy = sturdyClient(patient, true)) {
                final List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final CloseableHttpClient client = t % 2 == 0 ? plain : sturdy;
                    final Thread worker = new Thread(() -> {
                        while (System.nanoTime() < phaseEnd) {
                            final HttpGet get = new HttpGet(server.baseUrl() + "/warm-up");
                            if (tls) {
                                get.addHeader("Connection", "close"); // a new connection, so a new handshake, each time
                            }
                            try {
                                client.execute(get, response -> {
                                    EntityUtils.consume(response.getEntity());
                                    return null;
                                });
                            } catch (IOException ignored) {
                                // a slow first handshake: that is what warming up is for
                            }
                            done.incrementAndGet();
                        }
                    }, "demo-warm-up-" + t);
                    worker.setDaemon(true);
                    worker.start();
                    workers.add(worker);
                }
                for (Thread worker : workers) {
                    while (worker.isAlive()) {
                        worker.join(100);
                        progress("warm-up", done.get(), start);
                    }
                }
            }
        }
        progress(null, 0, 0);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Opens the client's connections before a run: {@code threads} concurrent calls to each replica,
     * answered at once and not counted. A client in a running service has its connections open; a run
     * that started from an empty pool would measure TLS handshakes more than the failure it stages.
     *
     * <p>On a loaded machine a handshake can exceed the 200 ms connect timeout, and sturdy's breaker
     * then ejects a healthy replica before the run. A replica ejected at the start, or one on probation,
     * would distort the run, so when that happened this waits until every ejection has ended and its
     * multiplier has decayed (the longest ejection plus five intervals), then opens again, at most three
     * times. Neither the requests nor the counters of this phase count in the run.
     */
    private void openConnections(CloseableHttpClient client, String[] urls) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            final long ejectionsBefore = ejections(client);
            openConnectionsOnce(client, urls);
            if (ejections(client) == ejectionsBefore) {
                return;
            }
            final CircuitBreakerPolicy cb = demoBreaker();
            Thread.sleep(cb.maxEjectionTime().plus(cb.interval().multipliedBy(5)).toMillis());
        }
    }

    private static long ejections(CloseableHttpClient client) {
        return client instanceof SturdyHttpClient
                ? ((SturdyHttpClient) client).metrics().get(ResilienceCounter.EJECTIONS_TOTAL) : 0;
    }

    private void openConnectionsOnce(CloseableHttpClient client, String[] urls) throws InterruptedException {
        final List<Thread> openers = new ArrayList<>();
        for (String url : urls) {
            for (int t = 0; t < threads; t++) {
                final Thread opener = new Thread(() -> {
                    final HttpGet get = new HttpGet(url + "/warm-up");
                    get.addHeader(WARM_UP_HEADER, "1");
                    try {
                        client.execute(get, response -> {
                            EntityUtils.consume(response.getEntity());
                            return null;
                        });
                    } catch (IOException ignored) {
                        // a connection that could not be opened now is opened by the run
                    }
                }, "demo-opener");
                opener.setDaemon(true);
                opener.start();
                openers.add(opener);
            }
        }
        for (Thread opener : openers) {
            opener.join();
        }
    }

    /**
     * Makes one call; returns null on a 2xx answer, otherwise what happened and which replica it came
     * from: the replica that answered (it names itself in a header), the one the plain client picked, or
     * for sturdy the one named in the exception (the last attempt's endpoint), if any.
     */
    private static String call(CloseableHttpClient client, String method, String baseUrl, String replica,
                               Replicas replicas, int i) {
        final String url = baseUrl + "/orders/" + i;
        final ClassicHttpRequest request;
        if ("PUT".equals(method)) {
            final HttpPut put = new HttpPut(url);
            put.setEntity(new StringEntity("{\"order\":" + i + ",\"state\":\"paid\"}", ContentType.APPLICATION_JSON));
            request = put;
        } else {
            request = new HttpGet(url);
        }
        request.addHeader("x-demo-call", Integer.toString(i));
        try {
            return client.execute(request, HttpClientContext.create(), response -> {
                EntityUtils.consume(response.getEntity());
                final int status = response.getCode();
                final String from = response.getFirstHeader(REPLICA_HEADER) == null ? "?"
                        : response.getFirstHeader(REPLICA_HEADER).getValue();
                return status >= 200 && status < 300 ? null : "status " + status + " from " + from;
            });
        } catch (IOException | RuntimeException e) {
            final String from = replica != null ? replica : replicas.named(e.getMessage());
            return e.getClass().getSimpleName() + (from == null ? "" : " from " + from);
        }
    }

    private static double percentile(double[] sorted, int p) {
        final int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * The plain client: HttpClient's defaults (including its own retry strategy: one retry of 429/503,
     * and of some I/O errors of idempotent requests) with timeouts comparable to sturdy's, so that it
     * cannot hang: connect timeout = sturdy's, socket and response timeout = sturdy's per-try timeout.
     */
    static CloseableHttpClient plainClient(boolean tls) {
        final PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(CONNECT_TIMEOUT))
                        .setSocketTimeout(Timeout.of(PER_TRY_TIMEOUT))
                        .build());
        if (tls) {
            pool.setTlsSocketStrategy(DemoTls.clientStrategy());
        }
        return HttpClients.custom()
                .setConnectionManager(pool.build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(PER_TRY_TIMEOUT)).build())
                .build();
    }

    static SturdyHttpClient sturdyClient(ResiliencePolicy policy, boolean tls) {
        return sturdyClient(policy, tls, null);
    }

    /**
     * A sturdy client for the policy, with the group (or none).
     *
     * @param group the endpoint group of the replicas, or null
     */
    static SturdyHttpClient sturdyClient(ResiliencePolicy policy, boolean tls, EndpointGroup group) {
        final var builder = SturdyHttpClients.custom(policy);
        if (group != null) {
            builder.endpointGroup(group);
        }
        if (tls) {
            builder.connectionManager(b -> b.setTlsSocketStrategy(DemoTls.clientStrategy()));
        }
        return builder.build();
    }

    /** The endpoint group {@code http://replicas} (or {@code https://localhost}) over the three replicas of one run. */
    private static EndpointGroup group(boolean tls, Replicas replicas) {
        return EndpointGroup.of(serviceUrl(tls), replicas.urls());
    }

    private static String serviceUrl(boolean tls) {
        return tls ? "https://" + TLS_SERVICE_HOST : "http://" + SERVICE_HOST;
    }

    // ---------------------------------------------------------------------------------------------
    // Printing

    private void printIntro(int scenarioCount) {
        out.println("sturdy demo: the same workload through a plain HttpClient 5 client and through sturdy,");
        out.println("against three local replicas (A, B, C on 127.0.0.1) that fail on purpose; " + scenarioCount + " scenarios.");
        out.printf("Each run: %d calls started over %.1f s by %d threads. Each client starts with open connections%n",
                calls, spread.toMillis() / 1000.0, threads);
        out.println("to every replica, as the client of a running service would.");
        out.println("plain  calls http://127.0.0.1:<port of A, B or C>/..., a replica picked per call by a seeded random");
        out.println("       sequence: HttpClient has no notion of replicas, so the caller picks, as it would behind DNS.");
        out.println("sturdy calls http://replicas/... with an endpoint group over A, B and C: each attempt goes to a");
        out.println("       replica that is not ejected (round-robin), a retry prefers a replica the call has not tried.");
        out.println("       Over TLS it calls https://localhost/...: the certificate a replica presents must name the service.");
        out.println("Timings are shortened so the demo ends in about half a minute: backoff in tens of ms,");
        out.println("timeouts in hundreds of ms (in production these are seconds).");
        out.printf("plain  = HttpClients.custom() with HttpClient's defaults (its own retry strategy: once, for 429/503%n"
                + "         and some I/O errors of idempotent requests) + connect timeout %d ms, socket and%n"
                + "         response timeout %d ms.%n", CONNECT_TIMEOUT.toMillis(), PER_TRY_TIMEOUT.toMillis());
        out.println("sturdy = SturdyHttpClients.custom(policy).endpointGroup(EndpointGroup.of(\"http://replicas\", A, B, C));");
        out.println("         the policy is printed with each scenario. Its circuit breaker is scaled to runs of a");
        final CircuitBreakerPolicy cb = demoBreaker();
        out.printf("         few seconds: a replica is ejected after %d errors in a row (5xx, connect failure, reset,%n"
                        + "         per-try timeout; never a 4xx) for %s, then %s, ... at most %s (on probation one error%n"
                        + "         ejects again; each error-free %s lowers the multiplier); %d %% of 3 replicas = at most%n"
                        + "         one ejected at a time, so two always serve. (Production defaults: 5 errors, 30 s, 10 %%:%n"
                        + "         they would eject nothing in a 2 s run.)%n",
                cb.consecutiveErrors(), Policies.human(cb.baseEjectionTime()),
                Policies.human(cb.baseEjectionTime().multipliedBy(2)), Policies.human(cb.maxEjectionTime()),
                Policies.human(cb.interval()), cb.maxEjectionPercent());
        out.println("Columns: success = calls answered 2xx; p50/p99 = call latency, failed calls included;");
        out.println("attempts/call = HTTP requests the replicas received (all three) / calls; retries = sturdy's");
        out.println("rq_retry; ejections = sturdy's ejections_total. n/a = not counted by that client. Each answer");
        out.println("names its replica (header x-demo-replica), which is how failed calls below say where they ended.");
    }

    /** Prints text in lines of at most 110 characters, each starting with {@code indent}. */
    private void printWrapped(String indent, String text) {
        final StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > 110) {
                out.println(line);
                line.setLength(0);
                line.append(indent).append(indent.isEmpty() ? "      " : "  ");
            } else if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        out.println(line);
    }

    private void progress(String clientName, int done, long start) {
        if (!liveProgress) {
            return;
        }
        if (clientName == null) {
            out.print("\r" + " ".repeat(78) + "\r");
        } else {
            out.printf("\r      %-8s running: %d%s calls done, %.1f s", clientName, done,
                    "warm-up".equals(clientName) ? "" : "/" + calls, (System.nanoTime() - start) / 1e9);
        }
        out.flush();
    }

    private void printRow(RunStats r) {
        out.printf("      %-8s %5d/%-4d %5.1f %% %9s %9s %14.2f %8s %10s%n", r.client, r.succeeded, r.calls,
                100.0 * r.successRate(), millis(r.p50Millis), millis(r.p99Millis), r.attemptsPerCall,
                r.retries < 0 ? "n/a" : Long.toString(r.retries), r.ejections < 0 ? "n/a" : Long.toString(r.ejections));
    }

    private void printNotes(RunStats plain, RunStats sturdy, ResiliencePolicy policy) {
        out.println("      requests per replica: plain " + perReplica(plain) + "; sturdy " + perReplica(sturdy));
        out.println("      plain  failed calls: " + failures(plain));
        out.println("      sturdy failed calls: " + failures(sturdy));
        final Map<ResilienceCounter, Long> c = sturdy.counters;
        out.printf("      sturdy counters: rq_total %d, rq_retry %d, rq_retry_success %d, rq_retry_overflow %d,%n"
                        + "                       rq_retry_limit_exceeded %d, rq_timeout %d, cx_connect_fail %d,%n"
                        + "                       ejections_total %d, ejections_active %d (at the end)%n",
                c.get(ResilienceCounter.RQ_TOTAL), c.get(ResilienceCounter.RQ_RETRY),
                c.get(ResilienceCounter.RQ_RETRY_SUCCESS), c.get(ResilienceCounter.RQ_RETRY_OVERFLOW),
                c.get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED), c.get(ResilienceCounter.RQ_TIMEOUT),
                c.get(ResilienceCounter.CX_CONNECT_FAIL), c.get(ResilienceCounter.EJECTIONS_TOTAL),
                c.get(ResilienceCounter.EJECTIONS_ACTIVE));
        final long overflow = c.get(ResilienceCounter.RQ_RETRY_OVERFLOW);
        if (overflow > 0) {
            out.printf("      sturdy's retry budget refused %d retries: at most max(%d, %.0f %% of the calls in flight) "
                            + "retries may wait at once;%n      a refused retry ends its call with the last answer "
                            + "instead of adding load (no retry storms).%n", overflow,
                    policy.retry().orElseThrow().budget().minRetryConcurrency(), policy.retry().orElseThrow().budget().percent());
        }
    }

    private static String perReplica(RunStats r) {
        return new TreeMap<>(r.requestsByReplica).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String failures(RunStats r) {
        final String failed = r.failures.entrySet().stream()
                .map(e -> e.getValue() + " x " + e.getKey())
                .collect(Collectors.joining(", "));
        return (failed.isEmpty() ? "none" : failed) + (r.serverNote.isEmpty() ? "" : " (" + r.serverNote + ")");
    }

    private void printSummary(List<ScenarioResult> results) {
        out.println();
        out.println("Summary                                     success rate          p99 latency");
        out.println("                                           plain    sturdy      plain     sturdy");
        for (ScenarioResult r : results) {
            out.printf("  %d %-38s %6.1f %%  %6.1f %%  %9s  %9s%n", r.number, r.name,
                    100.0 * r.plain.successRate(), 100.0 * r.sturdy.successRate(),
                    millis(r.plain.p99Millis), millis(r.sturdy.p99Millis));
        }
    }

    private static String millis(double ms) {
        return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
