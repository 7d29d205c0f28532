package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

/**
 * Many threads, a server that fails in every way it can at random: every call ends (a response or a
 * typed exception), nothing leaks, and no POST that reached the server is sent twice.
 */
class ConcurrencyTest {

    /** Replays a run: {@code -Dsturdy.seed=N}. */
    private static final String SEED_PROPERTY = "sturdy.seed";
    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 1000;
    private static final int MAX_RETRIES = 3;
    /** More faults than the calls can use (each call makes at most MAX_RETRIES + 1 attempts). */
    private static final int SCRIPT_LENGTH = THREADS * CALLS_PER_THREAD * (MAX_RETRIES + 1);
    private static final String CALL_ID = "X-Call-Id";

    /** What a call may end in, besides a 200 or 503 response. */
    private static final Set<Class<? extends Throwable>> EXPECTED_FAILURES = Set.of(
            SocketException.class,            // reset after the request ("Connection reset")
            NoHttpResponseException.class,    // closed without a response
            ConnectionClosedException.class); // truncated body, seen while the handler reads it

    private static long seed() {
        Long replay = Long.getLong(SEED_PROPERTY);
        long seed = replay != null ? replay : ThreadLocalRandom.current().nextLong();
        System.out.println("ConcurrencyTest: seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    /** 70 % plain 200; 6 % each: 503, reset, close without response, slow 200, truncated body. */
    private static Fault draw(SplittableRandom random) {
        int roll = random.nextInt(100);
        if (roll < 70) {
            return Fault.ok("fine");
        } else if (roll < 76) {
            return Fault.respond(503).body("busy");
        } else if (roll < 82) {
            return Fault.resetAfterRequest();
        } else if (roll < 88) {
            return Fault.closeWithoutResponse();
        } else if (roll < 94) {
            return Fault.ok("slow").delayedBy(Duration.ofMillis(1 + random.nextInt(20)));
        }
        return Fault.truncatedBody(64, 10);
    }

    private static ResiliencePolicy policy() {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().connectTimeout(Duration.ofSeconds(2))
                        .responseTimeout(Duration.ofSeconds(5)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(MAX_RETRIES)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
    }

    @Test
    void eightThreadsOfMixedCallsAgainstARandomlyFailingServerAllEndAndLeakNothing() {
        long seed = seed();
        String replay = "seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")";
        SplittableRandom random = new SplittableRandom(seed);
        List<Fault> script = new ArrayList<>(SCRIPT_LENGTH);
        for (int i = 0; i < SCRIPT_LENGTH; i++) {
            script.add(draw(random));
        }
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        Set<String> postIds = ConcurrentHashMap.newKeySet();
        Set<String> getIds = ConcurrentHashMap.newKeySet();

        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try (FaultServer server = FaultServer.start(Fault.ok("fine"));
                 SturdyHttpClient client = SturdyHttpClients.custom(policy())
                         .seams(Seams.SYSTEM.withSleeper(nanos -> { })).build()) {
                server.enqueue(script.toArray(new Fault[0]));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    SplittableRandom methods = random.split();
                    int thread = t;
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < CALLS_PER_THREAD; i++) {
                            String id = thread + "-" + i;
                            HttpUriRequestBase request;
                            if (methods.nextBoolean()) {
                                HttpPost post = new HttpPost(server.uri("/orders"));
                                post.setEntity(new StringEntity("order " + id, ContentType.TEXT_PLAIN));
                                request = post;
                                postIds.add(id);
                            } else {
                                request = new HttpGet(server.uri("/orders/" + id));
                                getIds.add(id);
                            }
                            request.addHeader(CALL_ID, id);
                            String outcome;
                            try {
                                outcome = client.execute(request, r -> {
                                    EntityUtils.consume(r.getEntity());
                                    return request.getMethod() + " status " + r.getCode();
                                });
                            } catch (IOException | RuntimeException e) {
                                outcome = request.getMethod() + " " + e.getClass().getName();
                                if (!EXPECTED_FAILURES.contains(e.getClass())) {
                                    e.printStackTrace(); // the assertion below names the type; this shows where
                                }
                            }
                            outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                        }
                        return null;
                    }));
                }
                long startedAt = System.nanoTime();
                start.countDown();
                for (Future<?> worker : workers) {
                    worker.get();
                }
                long millis = (System.nanoTime() - startedAt) / 1_000_000;
                Map<String, Long> summary = new TreeMap<>(outcomes.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())));
                System.out.println("ConcurrencyTest: " + THREADS * CALLS_PER_THREAD + " calls in " + millis + " ms, "
                        + server.requestCount() + " requests; outcomes " + summary + "; " + client.metrics());

                assertThat(summary.values().stream().mapToLong(Long::longValue).sum()).as(replay + ": calls ended")
                        .isEqualTo(THREADS * CALLS_PER_THREAD);
                Set<String> allowed = EXPECTED_FAILURES.stream().map(Class::getName)
                        .flatMap(n -> List.of("GET " + n, "POST " + n).stream()).collect(Collectors.toSet());
                allowed.addAll(List.of("GET status 200", "GET status 503", "POST status 200", "POST status 503"));
                assertThat(summary.keySet()).as(replay + ": outcomes").isSubsetOf(allowed);

                Map<String, Long> requestsPerId = server.requests().stream()
                        .collect(Collectors.groupingBy(r -> r.header(CALL_ID).orElse("none"), Collectors.counting()));
                assertThat(requestsPerId.keySet()).as(replay + ": every request carries a call id").doesNotContain("none");
                assertThat(postIds.stream().filter(id -> requestsPerId.getOrDefault(id, 0L) != 1)
                        .map(id -> id + " x" + requestsPerId.getOrDefault(id, 0L)))
                        .as(replay + ": POSTs not seen exactly once by the server").isEmpty();
                assertThat(getIds.stream().filter(id -> requestsPerId.getOrDefault(id, 0L) > MAX_RETRIES + 1))
                        .as(replay + ": GETs sent more than maxRetries + 1 times").isEmpty();
                assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL))
                        .as(replay + ": attempts counted = requests the server read")
                        .isEqualTo(server.requestCount());
                assertThat(server.requests().stream().map(RecordedRequest::method).distinct())
                        .containsExactlyInAnyOrder("GET", "POST");

                assertThat(client.poolStats().getLeased()).as(replay + ": leased connections").isZero();
                assertThat(client.poolStats().getPending()).as(replay + ": pending leases").isZero();
                assertThat(client.pendingRequests()).as(replay + ": requests waiting for a connection").isZero();
                assertThat(client.callsInFlight()).as(replay + ": calls in flight").isZero();
                assertThat(client.retriesInFlight()).as(replay + ": retries in flight").isZero();
            } finally {
                pool.shutdownNow();
            }
        });
    }
}
