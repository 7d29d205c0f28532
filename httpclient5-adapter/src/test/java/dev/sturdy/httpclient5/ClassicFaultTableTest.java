package dev.sturdy.httpclient5;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.faulttable.CaseRequest;
import dev.sturdy.httpclient5.faulttable.FaultCaseRunner;
import dev.sturdy.httpclient5.faulttable.FaultScenario;
import dev.sturdy.httpclient5.faulttable.FaultTable;
import dev.sturdy.httpclient5.faulttable.FaultTableTestBase;
import dev.sturdy.httpclient5.faulttable.Observed;
import dev.sturdy.httpclient5.faulttable.TestTls;
import dev.sturdy.httpclient5.internal.Seams;
import java.io.ByteArrayInputStream;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * The fault table (see {@link FaultCase} and {@link FaultTable}) against the classic client: every
 * fault, for GET, PUT and POST, under every retry setting, with the number of requests the server saw,
 * the outcome, the counters and the pool checked after each case.
 */
class ClassicFaultTableTest extends FaultTableTestBase {

    ClassicFaultTableTest() {
        super(() -> FaultTable.cases(FaultScenario::classicFailure), new ClassicRunner());
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
            return new AsyncFaultCaseClient(request -> execute(client, request), client::metrics, client::poolStats,
                    client::callsInFlight, client::retriesInFlight, client);
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
