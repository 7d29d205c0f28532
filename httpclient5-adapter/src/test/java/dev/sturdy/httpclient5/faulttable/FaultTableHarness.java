package dev.sturdy.httpclient5.faulttable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sturdy.event.ResilienceCounter;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.httpclient5.FaultCase;
import dev.sturdy.httpclient5.testing.HeaderField;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one {@link FaultCase} against a client and checks everything the case promises: the outcome
 * (status, or exact exception class and message, earlier attempts' failures attached as suppressed),
 * the attempts, what reached the server, that a POST is never sent twice unless allowed, that every
 * attempt sent the same request, the counters, and that nothing leaked (pool and in-flight gauges
 * back to 0). Client-neutral: the client comes from a {@link FaultCaseRunner}.
 *
 * <p>Keeps the fixtures shared between cases; close it after the last case. Not thread-safe.
 */
public final class FaultTableHarness implements AutoCloseable {

    private static final long SETTLE_MILLIS = 2_000;
    private static final String PATH = "/orders/42";

    private final SharedFixtures shared = new SharedFixtures();

    /** Runs the case; throws one AssertionError listing every broken expectation. */
    public void verify(FaultCase c, FaultCaseRunner runner) throws Exception {
        try (FaultEndpoint endpoint = runner.start(c.scenario(), shared)) {
            CaseRequest request = new CaseRequest(c.method(), endpoint.uri(PATH),
                    SpecOracle.hasBody(c.method()) ? CaseRequest.BODY : new byte[0],
                    c.variant().repeatableBody(), c.variant().retryNonIdempotentOverride());
            try (FaultCaseRunner.Client client = runner.open(c.policy())) {
                Observed observed = client.send(request);
                Expectations softly = new Expectations();
                checkOutcome(softly, c, endpoint.port(), observed);
                softly.check(() -> assertThat(observed.attempts()).as("attempts the client reports")
                        .isEqualTo(c.expectedAttempts()));
                checkServerSide(softly, c, request, endpoint);
                checkCounters(softly, c, client.metrics());
                checkQuiescent(softly, client);
                softly.assertAll(c + " (observed: " + observed + ")");
            }
        }
    }

    private static void checkOutcome(Expectations softly, FaultCase c, int port, Observed observed) {
        if (c.expected() instanceof ExpectedOutcome.Status status) {
            if (observed.failure() != null) {
                softly.check(() -> fail("expected %s to be returned, but the call threw %s", status,
                        describe(observed.failure())));
                return;
            }
            softly.check(() -> assertThat(observed.status()).as("status returned").isEqualTo(status.code()));
            return;
        }
        ExpectedOutcome.Failure failure = (ExpectedOutcome.Failure) c.expected();
        Throwable thrown = observed.failure();
        if (thrown == null) {
            softly.check(() -> fail("expected the call to throw %s, but it returned status %d",
                    failure.type().getName(), observed.status()));
            return;
        }
        final List<String> accepted = new ArrayList<>();
        final List<Class<?>> acceptedTypes = new ArrayList<>();
        for (ExpectedOutcome.Failure f : failure.accepted()) {
            accepted.add(f.type().getName() + ": " + f.message(port, c.method(), c.scenario().timeouts().responseTimeout()));
            acceptedTypes.add(f.type());
        }
        softly.check(() -> assertThat(thrown.getClass().getName() + ": " + thrown.getMessage())
                .as("exception thrown: %s", describe(thrown))
                .isIn(accepted));
        softly.check(() -> assertThat(thrown.getSuppressed())
                .as("earlier attempts' failures attached as suppressed (SPEC 2.7), %d from closing the response: %s",
                        failure.closeSuppressed(), describe(thrown))
                .hasSize(c.expectedAttempts() - 1 + failure.closeSuppressed())
                .allSatisfy(s -> assertThat(acceptedTypes).contains(s.getClass())));
    }

    private static void checkServerSide(Expectations softly, FaultCase c, CaseRequest request, FaultEndpoint endpoint) {
        List<RecordedRequest> recorded = endpoint.recorded();
        int unread = endpoint.unreadRequests();
        softly.check(() -> assertThat(recorded.size() + unread)
                .as("requests that reached the server (read: %s, reset unread: %d)", recorded, unread)
                .isEqualTo(c.expectedServerRequests()));
        if (c.method().equals("POST") && !c.postMayReachServerTwice()) {
            long posts = recorded.stream().filter(r -> r.method().equals("POST")).count() + unread;
            softly.check(() -> assertThat(posts).as("POSTs that reached the server: one that may have been "
                    + "processed is never sent again unless allowed (SPEC 2.5)").isLessThanOrEqualTo(1));
        }
        c.expectedConnections().ifPresent(expected -> {
            awaitAtLeast(endpoint, expected);
            softly.check(() -> assertThat(endpoint.connectionsAccepted()).as("connections the server accepted")
                    .isEqualTo(expected));
        });
        for (RecordedRequest r : recorded) {
            softly.check(() -> assertThat(r.method()).as("method of %s", r).isEqualTo(request.method()));
            softly.check(() -> assertThat(r.target()).as("target of %s", r).isEqualTo(PATH));
            softly.check(() -> assertThat(r.body()).as("body of %s (every attempt sends the same bytes, SPEC 2.5)", r)
                    .isEqualTo(request.body()));
        }
        if (recorded.size() > 1) {
            List<HeaderField> first = recorded.get(0).headers();
            for (RecordedRequest r : recorded.subList(1, recorded.size())) {
                softly.check(() -> assertThat(r.headers()).as("headers of %s (the same as the first attempt's)", r)
                        .isEqualTo(first));
            }
        }
    }

    private static void checkCounters(Expectations softly, FaultCase c, ResilienceMetrics metrics) {
        softly.check(() -> assertThat(metrics.get(ResilienceCounter.RQ_TOTAL)).as("rq_total")
                .isEqualTo(c.expectedAttempts()));
        softly.check(() -> assertThat(metrics.get(ResilienceCounter.RQ_RETRY)).as("rq_retry")
                .isEqualTo(c.expectedAttempts() - 1));
        softly.check(() -> assertThat(metrics.get(ResilienceCounter.CX_CONNECT_FAIL)).as("cx_connect_fail")
                .isEqualTo(c.scenario().phase() == FaultPhase.CONNECT ? c.expectedAttempts() : 0));
    }

    /** Polls briefly until leased and pending connections, calls and retries in flight are all 0. */
    private static void checkQuiescent(Expectations softly, FaultCaseRunner.Client client) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
        FaultCaseRunner.Quiescence state = client.quiescence();
        while (!state.idle() && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
            state = client.quiescence();
        }
        FaultCaseRunner.Quiescence last = state;
        softly.check(() -> assertThat(last).as("pool and in-flight state, polled for up to %d ms after the call",
                SETTLE_MILLIS).isEqualTo(new FaultCaseRunner.Quiescence(0, 0, 0, 0)));
    }

    /** Accepting runs on the server's own thread: give it up to 1 s to catch up with the client. */
    private static void awaitAtLeast(FaultEndpoint endpoint, int expected) {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (endpoint.connectionsAccepted() < expected && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The exception with its stack trace, causes and suppressed ones, for failure messages. */
    static String describe(Throwable t) {
        if (t == null) {
            return "nothing";
        }
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @Override
    public void close() {
        shared.close();
    }
}
