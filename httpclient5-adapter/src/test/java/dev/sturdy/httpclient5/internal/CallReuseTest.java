package dev.sturdy.httpclient5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import dev.sturdy.httpclient5.testing.FaultServer;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.classic.methods.HttpDelete;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

/**
 * Which call object a classic call runs on: the thread's reusable one when it is free, a one-off one
 * for a call made inside another call's response handler, a new reusable one after a lease handle
 * escaped to a request (so a late cancel through that request cannot reach a later call). Looks at
 * the call through {@link CallSlot#handedOver}, which holds the open call while its response handler
 * runs.
 */
class CallReuseTest {

    private static Call openCall() {
        final Call call = CallSlot.get().handedOver;
        assertThat(call).as("the open call").isNotNull();
        assertThat(call.available()).as("open while its handler runs").isFalse();
        return call;
    }

    private static Call callOf(SturdyHttpClient client, FaultServer server) throws Exception {
        return client.execute(new HttpGet(server.uri("/")), r -> {
            EntityUtils.consume(r.getEntity());
            return openCall();
        });
    }

    @Test
    void oneThreadReusesOneCallAndAnotherThreadHasItsOwn() throws Exception {
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()) {
            final Call first = callOf(client, server);
            final Call second = callOf(client, server);
            assertThat(second).isSameAs(first);
            assertThat(first.available()).as("finished").isTrue();
            assertThat(first.attempts).isEqualTo(1);

            final AtomicReference<Object> other = new AtomicReference<>();
            final Thread t = new Thread(() -> {
                try {
                    other.set(callOf(client, server));
                } catch (Exception e) {
                    other.set(e);
                }
            });
            t.start();
            t.join();
            assertThat(other.get()).isInstanceOf(Call.class).isNotSameAs(first);
        }
    }

    @Test
    void aCallInsideAResponseHandlerRunsOnAOneOffCallAndLeavesTheOuterOneOpen() throws Exception {
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()) {
            final Call reusable = callOf(client, server);
            final Call[] seen = new Call[2];
            client.execute(new HttpGet(server.uri("/outer")), outer -> {
                seen[0] = openCall();
                seen[1] = client.execute(new HttpDelete(server.uri("/inner")), inner -> {
                    EntityUtils.consume(inner.getEntity());
                    return openCall();
                });
                // the inner call ended; the outer one is untouched and still open
                assertThat(CallSlot.get().handedOver).isSameAs(seen[0]);
                assertThat(seen[0].available()).isFalse();
                assertThat(seen[0].method).isEqualTo("GET");
                assertThat(seen[0].attempts).isEqualTo(1);
                EntityUtils.consume(outer.getEntity());
                return null;
            });

            assertThat(seen[0]).as("the outer call is the thread's reusable one").isSameAs(reusable);
            assertThat(seen[1]).as("the inner call").isNotSameAs(reusable);
            assertThat(seen[1].reusable).isFalse();
            assertThat(seen[1].method).isEqualTo("DELETE");
            assertThat(seen[1].available()).isTrue();
            assertThat(callOf(client, server)).as("the next call").isSameAs(reusable);
        }
    }

    @Test
    void aCallWhoseLeaseHandleWasCancelledIsNotReused() throws Exception {
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()) {
            final Call first = client.execute(new HttpGet(server.uri("/")), r -> {
                EntityUtils.consume(r.getEntity());
                final Call call = openCall();
                call.cancel(); // as a request still holding the call as its lease handle would
                return call;
            });
            assertThat(first.leaseEscaped).isTrue();

            final Call next = callOf(client, server);
            assertThat(next).isNotSameAs(first);
            assertThat(callOf(client, server)).isSameAs(next);
        }
    }

    @Test
    void twoClientsInTurnOnOneThreadEachGetACallOfTheirOwnRuntime() throws Exception {
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient a = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build();
             SturdyHttpClient b = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()) {
            final Call ofA = callOf(a, server);
            final Call ofB = callOf(b, server);
            assertThat(ofB).isNotSameAs(ofA);
            assertThat(ofB.runtime).isNotSameAs(ofA.runtime);
            assertThat(callOf(b, server)).isSameAs(ofB);
        }
    }
}
