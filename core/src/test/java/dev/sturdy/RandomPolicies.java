package dev.sturdy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random, valid policies of every type for property tests. Each generator starts from the
 * builder's defaults and applies a random subset of setters in a random order, so both explicit and
 * default values are exercised.
 */
public final class RandomPolicies {

    private static final RetryOn[] CONDITIONS = RetryOn.values();

    private RandomPolicies() {
    }

    /** A positive duration, from one nanosecond to centuries, with a bias towards everyday values. */
    public static Duration duration(SplittableRandom random) {
        switch (random.nextInt(4)) {
            case 0:
                return Duration.ofNanos(1 + random.nextInt(1_000_000));
            case 1:
                return Duration.ofMillis(1 + random.nextInt(120_000));
            case 2:
                return Duration.ofSeconds(1 + random.nextInt(3_600), random.nextInt(1_000_000_000));
            default:
                return Duration.ofSeconds(1 + random.nextLong(Long.MAX_VALUE / 2));
        }
    }

    /** Two positive durations, the first not above the second. */
    public static Duration[] orderedDurations(SplittableRandom random) {
        Duration a = duration(random);
        Duration b = random.nextInt(8) == 0 ? a : duration(random);
        return a.compareTo(b) <= 0 ? new Duration[] {a, b} : new Duration[] {b, a};
    }

    public static TimeoutPolicy timeoutPolicy(SplittableRandom random) {
        TimeoutPolicy.Builder builder = TimeoutPolicy.builder();
        Duration[] perTryAndResponse = orderedDurations(random);
        List<Runnable> setters = new ArrayList<>();
        setters.add(() -> builder.connectTimeout(duration(random)));
        if (random.nextBoolean()) {
            setters.add(pair(random,
                    () -> builder.responseTimeout(perTryAndResponse[1]),
                    () -> builder.perTryTimeout(perTryAndResponse[0])));
        } else if (random.nextBoolean()) {
            setters.add(() -> builder.responseTimeout(duration(random)));
        }
        applySome(random, setters);
        return builder.build();
    }

    public static RetryBudget retryBudget(SplittableRandom random) {
        switch (random.nextInt(4)) {
            case 0:
                return RetryBudget.defaults();
            case 1:
                return RetryBudget.unlimited();
            case 2:
                return RetryBudget.of(random.nextInt(101), random.nextInt(10));
            default:
                return RetryBudget.of(random.nextDouble() * 100.0, random.nextInt(Integer.MAX_VALUE));
        }
    }

    public static HeaderMatch headerMatch(SplittableRandom random) {
        String name = "x-h" + random.nextInt(4);
        String value = "v" + random.nextInt(4);
        switch (random.nextInt(6)) {
            case 0:
                return HeaderMatch.exact(name, value);
            case 1:
                return HeaderMatch.prefix(name, value);
            case 2:
                return HeaderMatch.suffix(name, value);
            case 3:
                return HeaderMatch.contains(name, value);
            case 4:
                return HeaderMatch.regex(name, value + "[0-9]*");
            default:
                return HeaderMatch.present(name);
        }
    }

    /** A random, non-empty set of conditions (as an array, possibly with repeats). */
    public static RetryOn[] conditions(SplittableRandom random) {
        int count = 1 + random.nextInt(CONDITIONS.length);
        RetryOn[] conditions = new RetryOn[count];
        for (int i = 0; i < count; i++) {
            conditions[i] = CONDITIONS[random.nextInt(CONDITIONS.length)];
        }
        return conditions;
    }

    public static int[] statusCodes(SplittableRandom random) {
        int[] codes = new int[1 + random.nextInt(5)];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = 100 + random.nextInt(500);
        }
        return codes;
    }

    public static HttpRetryPolicy httpRetryPolicy(SplittableRandom random) {
        HttpRetryPolicy.Builder builder = HttpRetryPolicy.builder();
        RetryOn[] conditions = conditions(random);
        List<RetryOn> conditionList = Arrays.asList(conditions);
        boolean withCodes = conditionList.contains(RetryOn.RETRIABLE_STATUS_CODES);
        boolean withHeaders = conditionList.contains(RetryOn.RETRIABLE_HEADERS);
        Duration[] backoff = orderedDurations(random);
        List<Runnable> setters = new ArrayList<>();
        setters.add(() -> builder.maxRetries(random.nextInt(11)));
        if (random.nextBoolean()) {
            setters.add(() -> builder.backoff(backoff[0], backoff[1]));
        } else {
            setters.add(pair(random,
                    () -> builder.maxInterval(backoff[1]),
                    () -> builder.initialDelay(backoff[0])));
        }
        setters.add(() -> builder.retryAfter(random.nextBoolean()));
        setters.add(() -> builder.maxRetryAfter(duration(random)));
        setters.add(() -> builder.retryNonIdempotent(random.nextBoolean()));
        setters.add(() -> builder.budget(retryBudget(random)));
        List<Runnable> required = new ArrayList<>();
        if (withCodes || withHeaders || random.nextBoolean()) {
            required.add(() -> builder.retryOn(conditions));
        }
        if (withCodes) {
            required.add(() -> builder.statusCodes(statusCodes(random)));
        }
        if (withHeaders) {
            if (random.nextBoolean()) {
                required.add(() -> {
                    List<HeaderMatch> headers = new ArrayList<>();
                    for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                        headers.add(headerMatch(random));
                    }
                    builder.headers(headers);
                });
            } else {
                required.add(() -> builder.header(headerMatch(random)).header(headerMatch(random)));
            }
        }
        setters.add(() -> {
            Collections.shuffle(required, new java.util.Random(random.nextLong()));
            required.forEach(Runnable::run);
        });
        applySome(random, setters, setters.size() - 1);
        return builder.build();
    }

    public static TcpRetryPolicy tcpRetryPolicy(SplittableRandom random) {
        return random.nextBoolean()
                ? TcpRetryPolicy.maxConnectAttempts(1 + random.nextInt(10))
                : TcpRetryPolicy.builder().maxConnectAttempts(1 + random.nextInt(Integer.MAX_VALUE)).build();
    }

    public static CircuitBreakerPolicy circuitBreakerPolicy(SplittableRandom random) {
        CircuitBreakerPolicy.Builder builder = CircuitBreakerPolicy.builder();
        Duration[] ejection = orderedDurations(random);
        List<Runnable> setters = new ArrayList<>();
        setters.add(() -> builder.consecutiveErrors(1 + random.nextInt(100)));
        setters.add(() -> builder.interval(duration(random)));
        setters.add(() -> builder.maxEjectionPercent(random.nextInt(101)));
        setters.add(() -> builder.gatewayErrorsOnly(random.nextBoolean()));
        if (random.nextBoolean()) {
            setters.add(pair(random,
                    () -> builder.baseEjectionTime(ejection[0]),
                    () -> builder.maxEjectionTime(ejection[1])));
        }
        applySome(random, setters);
        return builder.build();
    }

    public static ConnectionPoolPolicy connectionPoolPolicy(SplittableRandom random) {
        ConnectionPoolPolicy.Builder builder = ConnectionPoolPolicy.builder();
        int maxConnections = 1 + random.nextInt(10_000);
        List<Runnable> setters = new ArrayList<>();
        setters.add(() -> builder.http1MaxPendingRequests(random.nextInt(100_000)));
        setters.add(() -> builder.http2MaxRequests(1 + random.nextInt(100_000)));
        setters.add(() -> builder.maxPendingWait(duration(random)));
        if (random.nextBoolean()) {
            setters.add(pair(random,
                    () -> builder.maxConnections(maxConnections),
                    () -> builder.maxConnectionsPerEndpoint(1 + random.nextInt(maxConnections))));
        } else {
            setters.add(() -> builder.maxConnections(maxConnections));
        }
        applySome(random, setters);
        return builder.build();
    }

    public static ResiliencePolicy resiliencePolicy(SplittableRandom random) {
        ResiliencePolicy.Builder builder = ResiliencePolicy.builder();
        List<Runnable> setters = new ArrayList<>();
        setters.add(() -> builder.timeouts(timeoutPolicy(random)));
        setters.add(() -> builder.retry(httpRetryPolicy(random)));
        setters.add(() -> builder.tcpRetry(tcpRetryPolicy(random)));
        setters.add(() -> builder.circuitBreaker(circuitBreakerPolicy(random)));
        setters.add(() -> builder.connectionPool(connectionPoolPolicy(random)));
        setters.add(() -> builder.listener(new dev.sturdy.event.ResilienceListener() { }));
        applySome(random, setters);
        return builder.build();
    }

    /** Two setters that must run together for the policy to be valid, in a random order. */
    private static Runnable pair(SplittableRandom random, Runnable first, Runnable second) {
        boolean swap = random.nextBoolean();
        return () -> {
            (swap ? second : first).run();
            (swap ? first : second).run();
        };
    }

    private static void applySome(SplittableRandom random, List<Runnable> setters) {
        applySome(random, setters, -1);
    }

    /** Runs a random subset of the setters (always the one at {@code requiredIndex}) in a random order. */
    private static void applySome(SplittableRandom random, List<Runnable> setters, int requiredIndex) {
        List<Runnable> chosen = new ArrayList<>();
        for (int i = 0; i < setters.size(); i++) {
            if (i == requiredIndex || random.nextInt(4) != 0) {
                chosen.add(setters.get(i));
            }
        }
        Collections.shuffle(chosen, new java.util.Random(random.nextLong()));
        chosen.forEach(Runnable::run);
    }
}
