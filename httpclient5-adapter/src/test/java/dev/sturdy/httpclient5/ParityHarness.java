package dev.sturdy.httpclient5;

import dev.sturdy.EndpointGroup;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.AttemptFailedEvent;
import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.event.RetriesExhaustedEvent;
import dev.sturdy.event.RetryBudgetExceededEvent;
import dev.sturdy.event.RetryScheduledEvent;
import dev.sturdy.event.TimeoutEvent;
import dev.sturdy.httpclient5.faulttable.ExpectedOutcome;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.internal.Seams;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.LogCapture;
import dev.sturdy.httpclient5.testing.LogEvent;
import dev.sturdy.httpclient5.testing.RefusingPort;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.pool.PoolStats;

/**
 * Runs one parity {@link Scenario} through either client and records everything a user can observe
 * of it as an {@link Observation}, already normalised so that the classic and async records can be
 * compared with {@code equals}.
 *
 * <p>Why these normalisations and no others (each is the smallest that removes a difference the issue
 * does not ask about):
 * <ol>
 *   <li><b>Ports.</b> Each run gets its own servers (or refusing ports), so a port number in endpoints,
 *       messages and counter keys is written {@code {port}}, or {@code {m1}}, {@code {m2}} ... for the
 *       members of an endpoint group. Only those exact numbers are replaced.</li>
 *   <li><b>Exceptions HttpClient's async transport reports differently for the same fault.</b> Only
 *       for the fault a row names ({@link Scenario#transportFault()}), and only when
 *       {@link AsyncFaultTableTest#asyncFailure} lists a different async form for it: an async exception
 *       whose exact type and message are that form is written in the classic form (e.g. a refused
 *       connect names the resolved address {@code [/127.0.0.1]} in async only), and the async simple
 *       type name in event outcomes and log lines, {@code (ConnectionClosedException)}, is written as the
 *       classic one, {@code (NoHttpResponseException)}. Anything else is compared as it is.</li>
 *   <li><b>Order, with concurrent calls only.</b> When a row makes several calls at once, which call
 *       finishes or logs first is a race, so outcomes, attempts, events and log lines are compared as
 *       sorted lists. A row with one call keeps its order.</li>
 * </ol>
 * Durations and instants need no normalisation: the seams fix the jitter draw, backoff delays are
 * therefore exact, timeouts are reported as configured, and a {@link FakeTicker} run starts both
 * clients at the same instant. Thread names are not recorded (a log line's thread is not behaviour).
 */
final class ParityHarness {

    /** Where the clients' time comes from. */
    enum Clock {
        /**
         * A {@link FakeTicker} that stands still (no deadline can fire), no sleeping in the classic
         * client, a draw of 0.5. The async client's retry timer still waits the real delay.
         */
        FAKE,
        /** The real clock and real sleeping, a draw of 0.5: for rows whose subject is a timeout firing. */
        REAL;

        /** @return a fresh fake ticker for one run (both clients start at the same instant), or null */
        FakeTicker ticker() {
            return this == FAKE ? new FakeTicker(0L, Instant.parse("2026-01-01T00:00:00Z")) : null;
        }

        static Seams seams(FakeTicker ticker) {
            return ticker != null ? ticker.seams() : Seams.SYSTEM.withRandom(() -> 0.5);
        }
    }

    /**
     * One place calls can reach: a fault server answering {@code first} in order and then
     * {@code otherwise}, or (with {@code otherwise} null) a port where nothing listens.
     */
    record Member(Fault otherwise, List<Fault> first) {

        static Member server(Fault otherwise, Fault... first) {
            return new Member(Objects.requireNonNull(otherwise), List.of(first));
        }

        static Member refusing() {
            return new Member(null, List.of());
        }

        @Override
        public String toString() {
            return otherwise == null ? "refusing port" : first.isEmpty() ? otherwise.toString() : first + " then " + otherwise;
        }
    }

    /**
     * Where a row's calls go: one member called by its own address, or an endpoint group of members
     * ({@value #SERVICE}) called by the service name, installed with {@code endpointGroup(...)} on both
     * builders.
     */
    record Target(List<Member> members, boolean group) {

        static Target server(Fault otherwise, Fault... first) {
            return new Target(List.of(Member.server(otherwise, first)), false);
        }

        static Target refusing() {
            return new Target(List.of(Member.refusing()), false);
        }

        static Target group(Member... members) {
            return new Target(List.of(members), true);
        }

        Endpoint open() {
            List<Integer> ports = new ArrayList<>();
            List<FaultServer> servers = new ArrayList<>();
            try {
                for (Member m : members) {
                    if (m.otherwise() == null) {
                        ports.add(RefusingPort.find().port());
                        servers.add(null);
                    } else {
                        FaultServer server = FaultServer.start(m.otherwise());
                        m.first().forEach(server::enqueue);
                        ports.add(server.port());
                        servers.add(server);
                    }
                }
            } catch (RuntimeException e) {
                servers.stream().filter(Objects::nonNull).forEach(FaultServer::close);
                throw e;
            }
            URI uri = URI.create((group ? SERVICE : "http://127.0.0.1:" + ports.get(0)) + "/parity");
            return new Endpoint(List.copyOf(ports), Collections.unmodifiableList(servers), uri, group);
        }

        @Override
        public String toString() {
            return group ? "group " + members : members.get(0).toString();
        }
    }

    /** The service name of an endpoint group row. */
    static final String SERVICE = "http://orders";

    /**
     * The open members of a target; a refusing member has a null server. Ports are named {@code {port}}
     * for a lone member and {@code {m1}}, {@code {m2}} ... for group members (normalisation 1).
     */
    record Endpoint(List<Integer> ports, List<FaultServer> servers, URI uri, boolean group) implements AutoCloseable {

        String portName(int member) {
            return group ? "{m" + (member + 1) + "}" : "{port}";
        }

        /** The endpoint group both builders install, or null. */
        EndpointGroup endpointGroup() {
            if (!group) {
                return null;
            }
            String[] members = ports.stream().map(p -> "http://127.0.0.1:" + p).toArray(String[]::new);
            return EndpointGroup.of(SERVICE, members);
        }

        List<String> requests() {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < servers.size(); i++) {
                FaultServer server = servers.get(i);
                if (server == null) {
                    continue;
                }
                String who = group ? portName(i) + " " : "";
                server.requests().forEach(r -> seen.add(who + r.method() + " " + r.target() + " body '"
                        + new String(r.body(), StandardCharsets.UTF_8) + "'"));
            }
            return seen;
        }

        @Override
        public void close() {
            servers.stream().filter(Objects::nonNull).forEach(FaultServer::close);
        }
    }

    /** What a call sends: the same request through either client. */
    enum Request {
        GET("GET", false, true, false),
        /** A small JSON body that can be sent again. */
        POST("POST", true, true, false),
        /** The same body as a stream would be: the entity (producer) says it cannot be sent again. */
        POST_STREAMED("POST", true, false, false),
        /** A repeatable body, and the request-level override {@link SturdyContext#retryNonIdempotent}. */
        POST_MAY_RETRY("POST", true, true, true);

        private final String method;
        private final boolean hasBody;
        private final boolean repeatable;
        private final boolean retryOverride;

        Request(String method, boolean hasBody, boolean repeatable, boolean retryOverride) {
            this.method = method;
            this.hasBody = hasBody;
            this.repeatable = repeatable;
            this.retryOverride = retryOverride;
        }

        String method() {
            return method;
        }

        boolean hasBody() {
            return hasBody;
        }

        boolean repeatable() {
            return repeatable;
        }

        HttpClientContext context() {
            HttpClientContext context = HttpClientContext.create();
            if (retryOverride) {
                SturdyContext.retryNonIdempotent(context, true);
            }
            return context;
        }
    }

    /**
     * How a row makes its calls.
     *
     * @param count      how many calls
     * @param concurrent all at once from separate threads, or one after another on the test thread
     * @param advances   for calls in turn on the fake clock: after the call with this 1-based number,
     *                   move the clock forward this much
     */
    record Calls(int count, boolean concurrent, Map<Integer, Duration> advances) {

        static Calls once() {
            return new Calls(1, false, Map.of());
        }

        /** {@code n} calls started together: their order is a race (normalisation 3). */
        static Calls atOnce(int n) {
            return new Calls(n, true, Map.of());
        }

        /** {@code n} calls, each after the previous one ended. */
        static Calls inTurn(int n) {
            return new Calls(n, false, Map.of());
        }

        /** The same calls, with the fake clock moved forward by {@code step} after call number {@code call}. */
        Calls advancingAfter(int call, Duration step) {
            Map<Integer, Duration> more = new LinkedHashMap<>(advances);
            more.put(call, step);
            return new Calls(count, concurrent, Map.copyOf(more));
        }

        @Override
        public String toString() {
            return count == 1 ? "once" : count + (concurrent ? " at once" : " in turn");
        }
    }

    /**
     * One row of the parity table.
     *
     * @param name             what happens, for the test's display name
     * @param policy           the policy both clients are built with (the harness adds its listener)
     * @param target           where the calls go
     * @param request          what each call sends
     * @param calls            how the calls are made
     * @param clock            the seams
     * @param transportFault   the fault whose exception HttpClient's async transport reports differently
     *                         (normalisation 2 applies to it alone), or null
     * @param expectedOutcomes what the calls must end with in the classic client, written as an
     *                         {@link Observation} writes outcomes (in ascending order for calls at once)
     * @param expectedAttempts the attempts of the calls in the classic client (ascending for calls at once)
     */
    record Scenario(String name, ResiliencePolicy policy, Target target, Request request, Calls calls, Clock clock,
                    FaultScenario transportFault, List<String> expectedOutcomes, List<Integer> expectedAttempts) {

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * What a user could observe of one run, normalised.
     *
     * @param outcomes       per call: {@code status <code> '<body>'} or {@code <type>: <message>}, with
     *                       suppressed exceptions and the cause appended
     * @param attempts       per call, {@link SturdyContext#attempts}
     * @param events         every listener event, as the event records print themselves
     * @param logs           every event of a {@code dev.sturdy} logger: level, logger, message, throwable
     * @param counters       the non-zero counters, client-wide ({@code client rq_total}) and per endpoint
     *                       ({@code http://127.0.0.1:{port} rq_total}), sorted by name
     * @param serverRequests the requests the server read: method, target, body
     * @param transportRewrites how many strings normalisation 2 rewrote (not part of the comparison: a
     *                          row that names a transport fault checks that its rewrite was needed)
     */
    record Observation(List<String> outcomes, List<Integer> attempts, List<String> events, List<String> logs,
                       Map<String, Long> counters, List<String> serverRequests, int transportRewrites) {
    }

    private static final String BODY = "{\"order\":42}";
    private static final String STURDY_LOGGERS = "dev.sturdy";
    private static final Duration CALL_BOUND = Duration.ofSeconds(20);
    /** How long a client's pool and gauges may take to become idle after the calls: 2 s. */
    static final Duration QUIET_BOUND = Duration.ofSeconds(2);

    private ParityHarness() {
    }

    // ---------------------------------------------------------------- the two clients

    static Observation runClassic(Scenario scenario) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (Endpoint endpoint = scenario.target().open(); LogCapture logs = LogCapture.start()) {
            List<Call> calls;
            ResilienceMetrics metrics;
            FakeTicker ticker = scenario.clock().ticker();
            SturdyHttpClientBuilder builder = SturdyHttpClients.custom(withListener(scenario, listener))
                    .seams(Clock.seams(ticker));
            if (endpoint.endpointGroup() != null) {
                builder.endpointGroup(endpoint.endpointGroup());
            }
            try (SturdyHttpClient client = builder.build()) {
                calls = make(scenario.calls(), ticker, () -> classicCall(client, scenario.request(), endpoint.uri()));
                awaitQuiet("classic", QUIET_BOUND, client::poolStats, client::callsInFlight, client::retriesInFlight);
                metrics = client.metrics();
            }
            return observe(scenario, endpoint, calls, listener, logs.events(STURDY_LOGGERS), metrics, false);
        }
    }

    static Observation runAsync(Scenario scenario) throws Exception {
        return runAsync(scenario, QUIET_BOUND);
    }

    /** As {@link #runAsync(Scenario)}, allowing {@code quietBound} for the pool to become idle. */
    static Observation runAsync(Scenario scenario, Duration quietBound) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (Endpoint endpoint = scenario.target().open(); LogCapture logs = LogCapture.start()) {
            List<Call> calls;
            ResilienceMetrics metrics;
            FakeTicker ticker = scenario.clock().ticker();
            SturdyHttpAsyncClientBuilder builder = SturdyHttpAsyncClients.custom(withListener(scenario, listener))
                    .seams(Clock.seams(ticker));
            if (endpoint.endpointGroup() != null) {
                builder.endpointGroup(endpoint.endpointGroup());
            }
            try (SturdyHttpAsyncClient client = builder.build()) {
                client.start();
                calls = make(scenario.calls(), ticker, () -> asyncCall(client, scenario.request(), endpoint.uri()));
                awaitQuiet("async", quietBound, client::poolStats, client::callsInFlight, client::retriesInFlight);
                metrics = client.metrics();
            }
            return observe(scenario, endpoint, calls, listener, logs.events(STURDY_LOGGERS), metrics, true);
        }
    }

    private static ResiliencePolicy withListener(Scenario scenario, ResilienceListener listener) {
        return scenario.policy().toBuilder().listener(listener).build();
    }

    /** How one call ended: a status and body, or a failure; and its attempts. */
    private record Call(int status, String body, Throwable failure, int attempts) {
    }

    private static Call classicCall(SturdyHttpClient client, Request how, URI uri) {
        HttpClientContext context = how.context();
        HttpUriRequestBase request = new HttpUriRequestBase(how.method(), uri);
        if (how.hasBody()) {
            request.setEntity(how.repeatable()
                    ? new StringEntity(BODY, ContentType.APPLICATION_JSON)
                    : new InputStreamEntity(new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8)),
                            BODY.getBytes(StandardCharsets.UTF_8).length, ContentType.APPLICATION_JSON));
        }
        try {
            return client.execute(request, context, response -> new Call(response.getCode(),
                    response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity()), null,
                    SturdyContext.attempts(context)));
        } catch (Exception e) {
            return new Call(-1, null, e, SturdyContext.attempts(context));
        }
    }

    private static Call asyncCall(SturdyHttpAsyncClient client, Request how, URI uri) {
        HttpClientContext context = how.context();
        AsyncEntityProducer body = null;
        if (how.hasBody()) {
            body = how.repeatable()
                    ? new BasicAsyncEntityProducer(BODY, ContentType.APPLICATION_JSON)
                    : new BasicAsyncEntityProducer(BODY, ContentType.APPLICATION_JSON) {
                        @Override
                        public boolean isRepeatable() {
                            return false; // as a streamed body would be
                        }
                    };
        }
        BasicRequestProducer producer = new BasicRequestProducer(new BasicHttpRequest(how.method(), uri), body);
        try {
            SimpleHttpResponse response = client.execute(producer, SimpleResponseConsumer.create(), context, null)
                    .get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return new Call(response.getCode(), response.getBody() == null ? "" : response.getBodyText(), null,
                    SturdyContext.attempts(context));
        } catch (ExecutionException e) {
            return new Call(-1, null, e.getCause(), SturdyContext.attempts(context));
        } catch (Exception e) {
            return new Call(-1, null, e, SturdyContext.attempts(context));
        }
    }

    /** Makes the calls: in turn on the test thread (moving the fake clock where asked), or at once. */
    private static List<Call> make(Calls how, FakeTicker ticker, Callable<Call> call) throws Exception {
        int n = how.count();
        if (!how.advances().isEmpty() && (ticker == null || how.concurrent())) {
            throw new IllegalArgumentException("the clock moves only between calls in turn on the fake clock: " + how);
        }
        if (!how.concurrent()) {
            List<Call> calls = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                calls.add(call.call());
                Duration step = how.advances().get(i);
                if (step != null) {
                    ticker.advance(step);
                }
            }
            return calls;
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            // a start gate: the calls start together once every thread is up, not as each new thread gets going
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Call>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return call.call();
                }));
            }
            if (!ready.await(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the threads for " + how + " did not start");
            }
            go.countDown();
            List<Call> calls = new ArrayList<>();
            for (Future<Call> f : futures) {
                calls.add(f.get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS));
            }
            return calls;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Pool idle after every case: polls briefly (the async client releases on its I/O threads). */
    private static void awaitQuiet(String which, Duration bound, Supplier<PoolStats> pool, IntSupplier calls,
                                   IntSupplier retries) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            PoolStats stats = pool.get();
            if (stats.getLeased() == 0 && stats.getPending() == 0 && calls.getAsInt() == 0 && retries.getAsInt() == 0) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(which + " client not idle after " + bound.toMillis() + " ms: pool "
                        + stats + ", calls in flight " + calls.getAsInt() + ", retries in flight " + retries.getAsInt());
            }
            Thread.sleep(5);
        }
    }

    // ---------------------------------------------------------------- recording and normalising

    private static Observation observe(Scenario scenario, Endpoint endpoint, List<Call> calls,
                                       RecordingListener listener, List<LogEvent> logEvents, ResilienceMetrics metrics,
                                       boolean async) {
        Normaliser n = new Normaliser(scenario, endpoint, async);
        List<String> outcomes = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        for (Call call : calls) {
            outcomes.add(call.failure() == null
                    ? "status " + call.status() + " '" + call.body() + "'"
                    : n.port(n.describe(call.failure())));
            attempts.add(call.attempts());
        }
        List<String> events = new ArrayList<>();
        listener.events.forEach(e -> events.add(n.port(n.classicTypeNames(e))));
        List<String> logs = new ArrayList<>();
        for (LogEvent e : logEvents) {
            logs.add(n.port(n.classicTypeNames(e.level() + " " + e.loggerName() + ": " + e.message())
                    + e.throwable().map(t -> " | " + n.describe(t)).orElse("")));
        }
        Map<String, Long> counters = new TreeMap<>(); // sorted once the ports are named: comparable diffs
        metrics.snapshot().forEach((c, v) -> {
            if (v != 0) {
                counters.put("client " + c.statName(), v);
            }
        });
        for (String e : metrics.endpoints()) {
            for (ResilienceCounter c : ResilienceCounter.values()) {
                long v = metrics.get(e, c);
                if (v != 0) {
                    counters.put(n.port(e) + " " + c.statName(), v);
                }
            }
        }
        List<String> requests = endpoint.requests().stream().map(n::port).toList();
        if (scenario.calls().concurrent()) {
            Collections.sort(outcomes);
            Collections.sort(attempts);
            Collections.sort(events);
            Collections.sort(logs);
        }
        return new Observation(List.copyOf(outcomes), List.copyOf(attempts), List.copyOf(events), List.copyOf(logs),
                Collections.unmodifiableMap(counters), requests, n.transportRewrites);
    }

    /** The normalisations of one run, counting how often normalisation 2 applied. */
    private static final class Normaliser {

        private final Scenario scenario;
        private final Endpoint endpoint;
        private final List<Pattern> ports = new ArrayList<>();
        /** The async and classic forms of the row's transport fault; null when there is nothing to rewrite. */
        private final ExpectedOutcome.Failure asyncForm;
        private final ExpectedOutcome.Failure classicForm;
        int transportRewrites;

        Normaliser(Scenario scenario, Endpoint endpoint, boolean async) {
            this.scenario = scenario;
            this.endpoint = endpoint;
            endpoint.ports().forEach(p -> ports.add(Pattern.compile(":" + p + "(?!\\d)")));
            FaultScenario fault = scenario.transportFault();
            ExpectedOutcome.Failure asyncF = async && fault != null ? AsyncFaultTableTest.asyncFailure(fault) : null;
            ExpectedOutcome.Failure classicF = async && fault != null ? fault.classicFailure() : null;
            boolean differ = asyncF != null && !asyncF.equals(classicF);
            this.asyncForm = differ ? asyncF : null;
            this.classicForm = differ ? classicF : null;
        }

        /** Normalisation 1. */
        String port(String text) {
            String named = text;
            for (int i = 0; i < ports.size(); i++) {
                named = ports.get(i).matcher(named).replaceAll(Matcher.quoteReplacement(":" + endpoint.portName(i)));
            }
            return named;
        }

        /** Type and message, then suppressed exceptions and the cause (one level), each the same way. */
        String describe(Throwable t) {
            StringBuilder s = new StringBuilder(typeAndMessage(t));
            for (Throwable suppressed : t.getSuppressed()) {
                s.append(" [suppressed ").append(typeAndMessage(suppressed)).append(']');
            }
            if (t.getCause() != null && t.getCause() != t) {
                s.append(" [cause ").append(typeAndMessage(t.getCause())).append(']');
            }
            return s.toString();
        }

        /**
         * Normalisation 2, for an exception: when this is exactly the async form of the row's transport
         * fault (type and message), the classic form is written instead.
         */
        private String typeAndMessage(Throwable t) {
            if (asyncForm != null) {
                Duration responseTimeout = scenario.policy().timeouts().responseTimeout();
                for (int port : endpoint.ports()) {
                    if (t.getClass() == asyncForm.type() && Objects.equals(t.getMessage(),
                            asyncForm.message(port, scenario.request().method(), responseTimeout))) {
                        transportRewrites++;
                        return classicForm.type().getName() + ": "
                                + classicForm.message(port, scenario.request().method(), responseTimeout);
                    }
                }
            }
            return t.getClass().getName() + ": " + t.getMessage();
        }

        /**
         * Normalisation 2, for event outcomes and log lines, which name the failure's simple type in
         * parentheses (e.g. {@code reset (ConnectionClosedException)}): the async type of the row's
         * transport fault is written as the classic type.
         */
        String classicTypeNames(String text) {
            if (asyncForm == null || asyncForm.type() == classicForm.type()) {
                return text;
            }
            String asyncName = "(" + asyncForm.type().getSimpleName() + ")";
            if (!text.contains(asyncName)) {
                return text;
            }
            transportRewrites++;
            return text.replace(asyncName, "(" + classicForm.type().getSimpleName() + ")");
        }
    }

    /** Records every listener event, in the order the client reported them. */
    static final class RecordingListener implements ResilienceListener {

        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onAttemptFailed(AttemptFailedEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onRetryScheduled(RetryScheduledEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onRetriesExhausted(RetriesExhaustedEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onRetryBudgetExceeded(RetryBudgetExceededEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onTimeout(TimeoutEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onEndpointEjected(EndpointEjectedEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onEndpointRestored(EndpointRestoredEvent event) {
            events.add(event.toString());
        }

        @Override
        public void onCircuitRejected(CircuitRejectedEvent event) {
            events.add(event.toString());
        }
    }
}
