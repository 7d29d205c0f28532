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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

/**
 * The two ways to install a policy put sturdy's handlers into the exec chain for real (proved by the
 * requests the server reads, not by a green response), HttpClient's own retries are off, and retries
 * work on every redirect hop.
 */
class InstallationTest {

    private static final Duration TEST_BOUND = Duration.ofSeconds(15);
    private static final Seams NO_SLEEP = Seams.SYSTEM.withSleeper(nanos -> { });

    private static ResiliencePolicy fastRetries() {
        return ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(10)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(3).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build())
                .build();
    }

    @Test
    void aClientFromCustomRetriesTwo503sAndTheServerSeesThreeRequests() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("hi"));
                 SturdyHttpClient client = SturdyHttpClients.custom(fastRetries()).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(503), Fault.respond(503));
                HttpClientContext context = HttpClientContext.create();

                String answer = client.execute(new HttpGet(server.uri("/x")), context,
                        r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

                assertThat(answer).isEqualTo("200 hi");
                assertThat(server.requestCount()).isEqualTo(3);
                assertThat(SturdyContext.attempts(context)).isEqualTo(3);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(3);
                assertThat(client.poolStats().getLeased()).isZero();
            }
        });
    }

    @Test
    void installIntoAUsersBuilderRetriesAndKeepsTheUsersInterceptorRunningOnEveryAttempt() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            AtomicInteger interceptorRuns = new AtomicInteger();
            try (FaultServer server = FaultServer.start(Fault.ok("hi"));
                 CloseableHttpClient client = SturdyHttpClients.install(fastRetries(), HttpClients.custom()
                                 .setUserAgent("users-agent/1.0")
                                 .addRequestInterceptorFirst((request, entity, ctx) ->
                                         request.setHeader("X-Interceptor-Run", String.valueOf(interceptorRuns.incrementAndGet()))))
                         .build()) {
                server.enqueue(Fault.respond(503), Fault.resetAfterRequest());
                HttpClientContext context = HttpClientContext.create();

                int status = client.execute(new HttpGet(server.uri("/x")), context, r -> r.getCode());

                assertThat(status).isEqualTo(200);
                List<RecordedRequest> requests = server.requests();
                assertThat(requests).hasSize(3);
                assertThat(SturdyContext.attempts(context)).isEqualTo(3);
                assertThat(requests.stream().map(r -> r.header("X-Interceptor-Run").orElse("absent")))
                        .containsExactly("1", "2", "3");
                assertThat(requests).allSatisfy(r -> assertThat(r.header("User-Agent")).hasValue("users-agent/1.0"));
            }
        });
    }

    @Test
    void httpClientsOwnRetryOf503IsDisabledWithCustom() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.respond(503).header("Retry-After", "0"));
                 SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.none()).build()) {
                int status = client.execute(new HttpGet(server.uri("/busy")), r -> r.getCode());

                assertThat(status).isEqualTo(503);
                assertThat(server.requestCount()).isEqualTo(1);
            }
        });
    }

    @Test
    void httpClientsOwnRetryOf503IsDisabledWithInstall() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.respond(503).header("Retry-After", "0"));
                 CloseableHttpClient client = SturdyHttpClients.install(ResiliencePolicy.none(), HttpClients.custom())
                         .build()) {
                int status = client.execute(new HttpGet(server.uri("/busy")), r -> r.getCode());

                assertThat(status).isEqualTo(503);
                assertThat(server.requestCount()).isEqualTo(1);
            }
        });
    }

    @Test
    void aPlainHttpClientRetriesThe503ItselfWhichIsWhySturdyDisablesIt() {
        // the control of the two tests above: without sturdy, HttpClient 5 sends the request twice
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.respond(503).header("Retry-After", "0"));
                 CloseableHttpClient client = HttpClients.custom().build()) {
                int status = client.execute(new HttpGet(server.uri("/busy")), r -> r.getCode());

                assertThat(status).isEqualTo(503);
                assertThat(server.requestCount()).isEqualTo(2);
            }
        });
    }

    @Test
    void aRedirectHopIsRetriedAndAttemptsAreCountedOverEveryHop() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("landed"));
                 SturdyHttpClient client = SturdyHttpClients.custom(fastRetries()).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(302).header("Location", "/other"), Fault.respond(503));
                HttpClientContext context = HttpClientContext.create();

                String answer = client.execute(new HttpGet(server.uri("/start")), context,
                        r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

                assertThat(answer).isEqualTo("200 landed");
                assertThat(server.requests().stream().map(r -> r.method() + " " + r.path()).collect(Collectors.toList()))
                        .containsExactly("GET /start", "GET /other", "GET /other");
                assertThat(SturdyContext.attempts(context)).as("attempts over both hops").isEqualTo(3);
                assertThat(client.metrics().get(ResilienceCounter.RQ_TOTAL)).isEqualTo(3);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isEqualTo(1);
                assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY_SUCCESS)).isEqualTo(1);
                assertThat(client.poolStats().getLeased()).isZero();
            }
        });
    }

    @Test
    void aFailingFirstHopIsRetriedBeforeTheRedirectIsFollowed() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("landed"));
                 SturdyHttpClient client = SturdyHttpClients.custom(fastRetries()).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(503), Fault.respond(302).header("Location", "/other"),
                        Fault.resetAfterRequest());
                HttpClientContext context = HttpClientContext.create();

                int status = client.execute(new HttpGet(server.uri("/start")), context, r -> r.getCode());

                assertThat(status).isEqualTo(200);
                assertThat(server.requests().stream().map(RecordedRequest::path).collect(Collectors.toList()))
                        .containsExactly("/start", "/start", "/other", "/other");
                assertThat(SturdyContext.attempts(context)).as("attempts over both hops").isEqualTo(4);
            }
        });
    }

    @Test
    void aRetryOnTheHopAfterA303SendsTheRedirectedGetNotTheOriginalPost() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok("result"));
                 SturdyHttpClient client = SturdyHttpClients.custom(fastRetries()).seams(NO_SLEEP).build()) {
                server.enqueue(Fault.respond(303).header("Location", "/result"), Fault.resetAfterRequest());
                HttpPost post = new HttpPost(server.uri("/submit"));
                post.setEntity(new StringEntity("form=1", ContentType.APPLICATION_FORM_URLENCODED));
                HttpClientContext context = HttpClientContext.create();

                String answer = client.execute(post, context, r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

                assertThat(answer).isEqualTo("200 result");
                List<RecordedRequest> requests = server.requests();
                assertThat(requests.stream().map(r -> r.method() + " " + r.path() + " " + r.bodyAsString().length())
                        .collect(Collectors.toList()))
                        .containsExactly("POST /submit 6", "GET /result 0", "GET /result 0");
                assertThat(SturdyContext.attempts(context)).isEqualTo(3);
            }
        });
    }

    @Test
    void attemptsIsOneWhenTheFirstAttemptSucceedsAndZeroForAContextNoCallUsed() {
        assertTimeoutPreemptively(TEST_BOUND, () -> {
            try (FaultServer server = FaultServer.start(Fault.ok());
                 SturdyHttpClient client = SturdyHttpClients.custom(fastRetries()).seams(NO_SLEEP).build()) {
                HttpClientContext context = HttpClientContext.create();
                assertThat(SturdyContext.attempts(context)).isZero();

                client.execute(new HttpGet(server.uri("/x")), context, r -> r.getCode());

                assertThat(SturdyContext.attempts(context)).isEqualTo(1);
            }
        });
    }
}
