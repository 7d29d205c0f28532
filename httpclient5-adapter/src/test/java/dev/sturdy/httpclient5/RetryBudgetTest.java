package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryBudget;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RefusingPort;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.junit.jupiter.api.Test;

/**
 * SPEC 2.6: during a full outage the retry budget keeps total attempts per call near 1.2 instead of
 * {@code maxRetries + 1}, and counts every refused retry.
 */
class RetryBudgetTest {

    private static final int THREADS = 40;
    private static final int CALLS = 1000;
    private static final int MAX_RETRIES = 3;
    private static final Duration TEST_BOUND = Duration.ofSeconds(30);
    /**
     * Every backoff wait lasts 40 ms for real (the drawn delay is well under a millisecond): retries
     * hold their budget slots long enough to overlap. With 8 slots (20 % of 40 calls) always taken, the
     * ratio is about {@code 1 + 0.25 * attempt / (40 ms + attempt)}: near 1.0 on an idle machine and
     * still below 1.25 when a loaded machine slows every attempt to tens of milliseconds.
     */
    private static final Seams REAL_40MS_BACKOFF = Seams.SYSTEM.withRandom(() -> 0.5)
            .withSleeper(nanos -> TimeUnit.MILLISECONDS.sleep(40));

    private static ResiliencePolicy outagePolicy(RetryBudget budget) {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2))
                        .responseTimeout(Duration.ofSeconds(20)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(MAX_RETRIES)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).budget(budget).build())
                .build();
    }

    /** How the calls of one run ended, and the attempts each made. */
    private record Run(Map<String, Long> outcomes, Map<Integer, Long> attemptsPerCall) {
    }

    /**
     * {@value #THREADS} threads, started together, make {@value #CALLS} GET calls between them (25 each on
     * average). Each thread takes its next call from a shared count rather than making a fixed 25: a
     * thread slowed by its retries does not leave a tail of calls that run while few calls are active,
     * when the budget's minimum of 3 retries would let nearly every call retry.
     */
    private static Run run(SturdyHttpClient client, URI uri) throws Exception {
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        Map<Integer, LongAdder> attempts = new ConcurrentHashMap<>();
        AtomicInteger callsLeft = new AtomicInteger(CALLS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    while (callsLeft.getAndDecrement() > 0) {
                        HttpClientContext context = HttpClientContext.create();
                        String outcome;
                        try {
                            outcome = "status " + client.execute(new HttpGet(uri), context, r -> r.getCode());
                        } catch (Exception e) {
                            outcome = e.getClass().getName();
                        }
                        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                        attempts.computeIfAbsent(SturdyContext.attempts(context), k -> new LongAdder()).increment();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Run(sums(outcomes), sums(attempts));
    }

    private static <K> Map<K, Long> sums(Map<K, LongAdder> adders) {
        return new TreeMap<>(adders.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())));
    }

    private static void assertNothingInFlight(SturdyHttpClient client) {
        assertThat(client.retriesInFlight()).as("retries in flight").isZero();
        assertThat(client.callsInFlight()).as("calls in flight").isZero();
        assertThat(client.poolStats().getLeased()).as("leased connections").isZero();
        assertThat(client.poolStats().getPending()).as("pending leases").isZero();
    }

    @Test
    void duringAnOutageOf503sTheDefaultBudgetKeepsAttemptsPerCallNearOnePointTwo() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = SturdyHttpClients.custom(outagePolicy(RetryBudget.defaults()))
                         .seams(REAL_40MS_BACKOFF).build()) {
                Run run = run(client, server.uri("/down"));
                ResilienceMetrics m = client.metrics();
                int attempts = server.requestCount();
                double perCall = (double) attempts / CALLS;
                String report = attempts + " attempts for " + CALLS + " calls (" + perCall + " per call); attempts per call "
                        + run.attemptsPerCall() + "; " + m;
                System.out.println("RetryBudgetTest 503 outage, default budget: " + report);

                assertThat(run.outcomes()).as(report).isEqualTo(Map.of("status 503", (long) CALLS));
                assertThat(perCall).as(report).isGreaterThan(1.0).isLessThanOrEqualTo(1.3);
                assertThat(m.get(ResilienceCounter.RQ_RETRY_OVERFLOW)).as(report).isPositive();
                assertThat(m.get(ResilienceCounter.RQ_TOTAL)).as(report).isEqualTo(attempts);
                assertThat(m.get(ResilienceCounter.RQ_RETRY)).as(report).isEqualTo(attempts - CALLS);
                // every call ends once: refused by the budget, or out of retries
                assertThat(m.get(ResilienceCounter.RQ_RETRY_OVERFLOW) + m.get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED))
                        .as(report).isEqualTo(CALLS);
                assertNothingInFlight(client);
            }
        });
    }

    @Test
    void withAnUnlimitedBudgetTheSameOutageMakesEveryCallUseEveryRetry() {
        // the control of the test above: without the budget, attempts per call are maxRetries + 1
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.respond(503));
                 SturdyHttpClient client = SturdyHttpClients.custom(outagePolicy(RetryBudget.unlimited()))
                         .seams(REAL_40MS_BACKOFF).build()) {
                Run run = run(client, server.uri("/down"));
                ResilienceMetrics m = client.metrics();
                System.out.println("RetryBudgetTest 503 outage, unlimited budget: " + server.requestCount()
                        + " attempts; " + m);

                assertThat(run.outcomes()).isEqualTo(Map.of("status 503", (long) CALLS));
                assertThat(run.attemptsPerCall()).isEqualTo(Map.of(MAX_RETRIES + 1, (long) CALLS));
                assertThat(server.requestCount()).isEqualTo(CALLS * (MAX_RETRIES + 1));
                assertThat(m.get(ResilienceCounter.RQ_RETRY_OVERFLOW)).isZero();
                assertThat(m.get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED)).isEqualTo(CALLS);
                assertNothingInFlight(client);
            }
        });
    }

    @Test
    void duringAnOutageOfRefusedConnectionsTheDefaultBudgetKeepsAttemptsPerCallNearOnePointTwo() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            RefusingPort refusing = RefusingPort.find();
            try (SturdyHttpClient client = SturdyHttpClients.custom(outagePolicy(RetryBudget.defaults()))
                    .seams(REAL_40MS_BACKOFF).build()) {
                Run run = run(client, refusing.uri("/down"));
                ResilienceMetrics m = client.metrics();
                long attempts = m.get(ResilienceCounter.RQ_TOTAL);
                long attemptsSeenByCallers = run.attemptsPerCall().entrySet().stream()
                        .mapToLong(e -> e.getKey() * e.getValue()).sum();
                double perCall = (double) attempts / CALLS;
                String report = attempts + " attempts for " + CALLS + " calls (" + perCall + " per call); attempts per call "
                        + run.attemptsPerCall() + "; " + m;
                System.out.println("RetryBudgetTest refused outage, default budget: " + report);

                assertThat(run.outcomes()).as(report)
                        .isEqualTo(Map.of("org.apache.hc.client5.http.HttpHostConnectException", (long) CALLS));
                assertThat(attemptsSeenByCallers).as(report).isEqualTo(attempts);
                assertThat(m.get(ResilienceCounter.CX_CONNECT_FAIL)).as(report).isEqualTo(attempts);
                assertThat(perCall).as(report).isGreaterThan(1.0).isLessThanOrEqualTo(1.3);
                assertThat(m.get(ResilienceCounter.RQ_RETRY_OVERFLOW)).as(report).isPositive();
                assertThat(m.get(ResilienceCounter.RQ_RETRY_OVERFLOW) + m.get(ResilienceCounter.RQ_RETRY_LIMIT_EXCEEDED))
                        .as(report).isEqualTo(CALLS);
                assertNothingInFlight(client);
            }
        });
    }
}
