package dev.sturdy.examples;

import static java.time.Duration.ofMillis;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.AttemptFailedEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.event.RetriesExhaustedEvent;
import dev.sturdy.event.RetryBudgetExceededEvent;
import dev.sturdy.event.RetryScheduledEvent;
import dev.sturdy.event.TimeoutEvent;
import dev.sturdy.httpclient5.SturdyContext;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Watching sturdy decide: a {@link ResilienceListener} that logs and counts every decision (retry
 * scheduled with its reason, delay and where the delay came from; retries exhausted; timeouts; retries
 * refused by the retry budget), run against a local flaky server. At the end it prints the counts next
 * to the client's own counters ({@code client.metrics()}), which agree with them.
 *
 * <p>The local server has four paths: {@code /flaky} answers {@code 503} with {@code Retry-After: 0},
 * then {@code 503} without it, then {@code 200}; {@code /down} always answers {@code 500};
 * {@code /slow} takes 2 s; {@code /busy} answers the first burst of 8 concurrent requests with
 * {@code 503} all at once, so their retries compete for the retry budget.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples -am compile exec:java -Dexec.mainClass=dev.sturdy.examples.ObservabilityExample}.
 *
 * <p>Thread-safety: {@link CountingListener} is thread-safe, as a listener must be.
 */
public final class ObservabilityExample {

    /** Concurrent calls in the burst that exhausts the retry budget: {@value}. */
    public static final int BURST = 8;

    private ObservabilityExample() {
    }

    /**
     * Logs each decision as one line and counts it by kind, e.g. {@code retry scheduled (5xx, retry_after)}.
     * Never logs header values or bodies: the events do not carry them.
     *
     * <p>Thread-safety: thread-safe; one instance serves every call of a client.
     */
    public static final class CountingListener implements ResilienceListener {

        private final PrintStream log;
        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

        /**
         * @param log where each decision is printed, one line each
         */
        public CountingListener(PrintStream log) {
            this.log = log;
        }

        @Override
        public void onAttemptFailed(AttemptFailedEvent e) {
            increment("attempt failed");
            log.printf("  [sturdy] attempt %d of %s %s failed: %s%n", e.attempt(), e.method(), e.endpoint(), e.outcome());
        }

        @Override
        public void onRetryScheduled(RetryScheduledEvent e) {
            increment("retry scheduled");
            increment("retry scheduled (" + e.reason() + ", " + e.delaySource().name().toLowerCase(Locale.ROOT) + ")");
            log.printf("  [sturdy] retry %d of %s %s in %d ms (reason %s, delay from %s)%n", e.retry(), e.method(),
                    e.endpoint(), e.delay().toMillis(), e.reason(), e.delaySource().name().toLowerCase(Locale.ROOT));
        }

        @Override
        public void onRetriesExhausted(RetriesExhaustedEvent e) {
            increment("no further retry");
            increment("no further retry (" + e.reason() + ")");
            log.printf("  [sturdy] no further retry of %s %s after %s: %s%n", e.method(), e.endpoint(),
                    attempts(e.attempts()), e.reason());
        }

        @Override
        public void onRetryBudgetExceeded(RetryBudgetExceededEvent e) {
            increment("retry budget exceeded");
            log.printf("  [sturdy] retry budget full: %s %s not retried (%d retries in flight, %d allowed)%n",
                    e.method(), e.endpoint(), e.retriesInFlight(), e.allowedRetries());
        }

        @Override
        public void onTimeout(TimeoutEvent e) {
            increment("timeout");
            increment("timeout (" + e.kind().name().toLowerCase(Locale.ROOT) + ")");
            log.printf("  [sturdy] %s timeout %s fired on %s %s (attempt %d)%n", e.kind().name().toLowerCase(Locale.ROOT),
                    Policies.human(e.timeout()), e.method(), e.endpoint(), e.attempt());
        }

        private void increment(String kind) {
            counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }

        /** @return the count of each kind of decision so far, sorted by kind */
        public Map<String, Long> counts() {
            final Map<String, Long> copy = new TreeMap<>();
            counts.forEach((k, v) -> copy.put(k, v.sum()));
            return copy;
        }

        /**
         * @param kind a kind, e.g. {@code "retry scheduled"} or {@code "timeout (per_try)"}
         * @return how often it happened, 0 if never
         */
        public long count(String kind) {
            final LongAdder adder = counts.get(kind);
            return adder == null ? 0 : adder.sum();
        }
    }

    /**
     * What one run observed.
     *
     * @param outcomes what each call returned, one line each
     * @param events   the listener's counts by kind of decision
     * @param counters the client's counters ({@code client.metrics().snapshot()}) after the run
     */
    public record Report(List<String> outcomes, Map<String, Long> events, Map<ResilienceCounter, Long> counters) {
        /**
         * @param kind a kind of decision, e.g. {@code "retry scheduled"}
         * @return how often the listener saw it, 0 if never
         */
        public long event(String kind) {
            return events.getOrDefault(kind, 0L);
        }
    }

    /**
     * Runs the example and prints the decisions as they happen, then the counts and the client's counters.
     *
     * @param args ignored
     * @throws Exception if the local server cannot start
     */
    public static void main(String[] args) throws Exception {
        final Report report = run(System.out);
        System.out.println();
        System.out.println("What the calls returned:");
        report.outcomes().forEach(o -> System.out.println("  " + o));
        System.out.println();
        System.out.println("Decisions counted by the listener:");
        report.events().forEach((kind, n) -> System.out.printf("  %-58s %3d%n", kind, n));
        System.out.println();
        System.out.println("client.metrics() after the run:");
        report.counters().forEach((counter, n) -> System.out.printf("  %-58s %3d%n", counter.statName(), n));
    }

    /**
     * The policy of the example: 200 ms connect, 300 ms per try, 800 ms deadline, 2 retries on 5xx with
     * 20 ms / 100 ms backoff, the default retry budget (20 %, at least 3 retries in flight).
     *
     * @param listener the listener to install
     * @return the policy
     */
    public static ResiliencePolicy policy(ResilienceListener listener) {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder()
                        .connectTimeout(ofMillis(200))
                        .perTryTimeout(ofMillis(300))
                        .responseTimeout(ofMillis(800))
                        .build())
                .retry(HttpRetryPolicy.builder()
                        .maxRetries(2)
                        .backoff(ofMillis(20), ofMillis(100))
                        .retryOn(RetryOn.FIVE_XX)
                        .build())
                .listener(listener)
                .build();
    }

    /**
     * Runs the calls against a local flaky server, logging decisions to {@code log}.
     *
     * @param log where the listener prints decisions
     * @return the outcomes, the listener's counts and the client's counters
     * @throws IOException if the local server cannot start
     * @throws InterruptedException if interrupted while waiting for the burst
     */
    public static Report run(PrintStream log) throws IOException, InterruptedException {
        final CountingListener listener = new CountingListener(log);
        final List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger flaky = new AtomicInteger();
        final AtomicInteger busy = new AtomicInteger();
        final CountDownLatch burstArrived = new CountDownLatch(BURST);
        try (LoopbackServer server = LoopbackServer.start("flaky", request -> {
                switch (request.path()) {
                    case "/flaky": {
                        final int n = flaky.incrementAndGet();
                        if (n == 1) {
                            return LoopbackServer.Reply.of(503, "busy").withHeader("Retry-After", "0");
                        }
                        return n == 2 ? LoopbackServer.Reply.of(503, "busy") : LoopbackServer.Reply.of(200, "ok");
                    }
                    case "/down":
                        return LoopbackServer.Reply.of(500, "broken");
                    case "/slow":
                        return LoopbackServer.Reply.of(200, "late").delayed(2000);
                    case "/busy": {
                        if (busy.incrementAndGet() <= BURST) { // the burst: answer all of it at once
                            burstArrived.countDown();
                            burstArrived.await(2, TimeUnit.SECONDS);
                            return LoopbackServer.Reply.of(503, "busy");
                        }
                        return LoopbackServer.Reply.of(200, "ok").delayed(150); // a retry holds its budget slot a while
                    }
                    default:
                        return LoopbackServer.Reply.of(404, "no such path");
                }
            });
             SturdyHttpClient client = SturdyHttpClients.custom(policy(listener)).build()) {
            log.println("GET /flaky: 503 with Retry-After: 0, then 503, then 200");
            outcomes.add("GET /flaky -> " + get(client, server.baseUrl() + "/flaky"));
            log.println("GET /down: always 500");
            outcomes.add("GET /down  -> " + get(client, server.baseUrl() + "/down"));
            log.println("GET /slow: takes 2 s, per-try timeout 300 ms, deadline 800 ms");
            outcomes.add("GET /slow  -> " + get(client, server.baseUrl() + "/slow"));
            log.println("GET /busy x " + BURST + " at once: all answered 503 together, then their retries compete for the budget");
            final ExecutorService pool = Executors.newFixedThreadPool(BURST);
            try {
                final List<Future<String>> burst = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    burst.add(pool.submit(() -> get(client, server.baseUrl() + "/busy")));
                }
                final Map<String, Integer> results = new TreeMap<>();
                for (Future<String> f : burst) {
                    try {
                        results.merge(f.get(10, TimeUnit.SECONDS), 1, Integer::sum);
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        results.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                    }
                }
                results.forEach((r, n) -> outcomes.add("GET /busy  -> " + n + " x " + r));
            } finally {
                pool.shutdownNow();
            }
            return new Report(List.copyOf(outcomes), listener.counts(), client.metrics().snapshot());
        }
    }

    private static String attempts(int n) {
        return n == 1 ? "1 attempt" : n + " attempts";
    }

    /** One GET; returns "status after N attempts" or the exception's type. */
    private static String get(SturdyHttpClient client, String url) {
        final HttpClientContext context = HttpClientContext.create();
        try {
            final int status = client.execute(new HttpGet(url), context, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            return status + " after " + attempts(SturdyContext.attempts(context));
        } catch (IOException e) {
            return e.getClass().getSimpleName() + " after " + attempts(SturdyContext.attempts(context));
        }
    }
}
