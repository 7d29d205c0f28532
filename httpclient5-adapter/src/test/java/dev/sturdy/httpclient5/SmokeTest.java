package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.testing.Fault;
import dev.sturdy.httpclient5.testing.FaultServer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.junit.jupiter.api.Test;

class SmokeTest {

    @Test
    void retriesTwo503sThenSucceeds() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.ok("hi"))) {
            server.enqueue(Fault.respond(503), Fault.respond(503));
            ResiliencePolicy policy = ResiliencePolicy.builder()
                    .retry(HttpRetryPolicy.builder().backoff(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2)).build())
                    .build();
            try (SturdyHttpClient client = SturdyHttpClients.custom(policy).build()) {
                HttpClientContext ctx = HttpClientContext.create();
                int code = client.execute(new HttpGet(server.uri("/x")), ctx, r -> r.getCode());
                assertThat(code).isEqualTo(200);
                assertThat(server.requestCount()).isEqualTo(3);
                assertThat(SturdyContext.attempts(ctx)).isEqualTo(3);
                assertThat(client.poolStats().getLeased()).isZero();
                System.out.println(client.metrics());
            }
        }
    }
}
