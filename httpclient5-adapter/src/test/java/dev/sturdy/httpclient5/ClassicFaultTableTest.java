package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.event.ResilienceMetrics;
import dev.sturdy.httpclient5.faulttable.CaseRequest;
import dev.sturdy.httpclient5.faulttable.FaultCaseRunner;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.faulttable.FaultTable;
import dev.sturdy.httpclient5.faulttable.FaultTableHarness;
import dev.sturdy.httpclient5.faulttable.Observed;
import dev.sturdy.httpclient5.faulttable.TestTls;
import dev.sturdy.httpclient5.internal.Seams;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.pool.PoolStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault table (see {@link FaultCase} and {@link FaultTable}) against the classic client: every
 * fault, for GET, PUT and POST, under every retry setting, with the number of requests the server saw,
 * the outcome, the counters and the pool checked after each case.
 */
class ClassicFaultTableTest {

    private static FaultTableHarness harness;

    @BeforeAll
    static void startSharedFixtures() {
        harness = new FaultTableHarness();
    }

    @AfterAll
    static void stopSharedFixtures() {
        harness.close();
    }

    static Stream<FaultCase> cases() {
        return FaultTable.cases(FaultScenario::classicFailure);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void classicClientFollowsTheSpecUnderFault(FaultCase faultCase) throws Exception {
        harness.verify(faultCase, new ClassicRunner());
    }

    /**
     * The classic client as a {@link FaultCaseRunner}: a {@link SturdyHttpClient} with a no-op sleeper
     * (no real backoff waits) and a TLS strategy trusting the test certificate; the response handler
     * reads the body to the end inside the call, so slow and truncated bodies surface.
     */
    static final class ClassicRunner implements FaultCaseRunner {

        @Override
        public Client open(ResiliencePolicy policy) {
            SturdyHttpClient client = SturdyHttpClients.custom(policy)
                    .seams(Seams.SYSTEM.withSleeper(nanos -> { }))
                    .connectionManager(pool -> pool.setTlsSocketStrategy(TestTls.trustingClassicStrategy()))
                    .build();
            return new Client() {
                @Override
                public Observed send(CaseRequest request) {
                    return execute(client, request);
                }

                @Override
                public ResilienceMetrics metrics() {
                    return client.metrics();
                }

                @Override
                public Quiescence quiescence() {
                    PoolStats pool = client.poolStats();
                    return new Quiescence(pool.getLeased(), pool.getPending(), client.callsInFlight(),
                            client.retriesInFlight());
                }

                @Override
                public void close() throws IOException {
                    client.close();
                }
            };
        }

        static Observed execute(SturdyHttpClient client, CaseRequest request) {
            ClassicRequestBuilder builder = ClassicRequestBuilder.create(request.method()).setUri(request.uri());
            if (request.hasBody()) {
                builder.setEntity(request.repeatableBody()
                        ? new ByteArrayEntity(request.body(), ContentType.APPLICATION_JSON)
                        : new InputStreamEntity(new ByteArrayInputStream(request.body()), request.body().length,
                                ContentType.APPLICATION_JSON));
            }
            ClassicHttpRequest httpRequest = builder.build();
            HttpClientContext context = HttpClientContext.create();
            if (request.retryNonIdempotentOverride()) {
                SturdyContext.retryNonIdempotent(context, true);
            }
            long start = System.nanoTime();
            try {
                Observed ok = client.execute(httpRequest, context, response -> new Observed(response.getCode(),
                        response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity()), null, 0, 0));
                return new Observed(ok.status(), ok.body(), null, SturdyContext.attempts(context),
                        System.nanoTime() - start);
            } catch (Exception e) {
                return new Observed(-1, null, e, SturdyContext.attempts(context), System.nanoTime() - start);
            }
        }
    }
}
