package dev.sturdy.httpclient5.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.SturdyHttpClient;
import dev.sturdy.httpclient5.SturdyHttpClients;
import dev.sturdy.httpclient5.testing.FaultServer;
import dev.sturdy.httpclient5.testing.RecordedRequest;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicMarkableReference;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.client5.http.classic.methods.HttpDelete;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

/**
 * Which call object a classic call runs on: the thread's reusable one when it is free, a one-off one
 * for a call made inside another call's response handler, a new reusable one after a lease handle
 * escaped to a request, or after a request was cancelled while it held one (so a late cancel through
 * that request cannot reach a later call). Looks at
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

    /**
     * A request cancelled by another thread while it waits for its lease: {@code HttpUriRequestBase}
     * first marks itself cancelled, then cancels the handle it holds. A canceller preempted between
     * the two steps cancels the handle late, after the request has failed and its thread has moved on
     * to its next call. This request splits the two steps so the test can place them: the mark lands
     * as soon as the call is installed as the lease handle, the stale cancel when the thread's next
     * request installs its own handle. Before the fix the next call ran on the same call object, so
     * the late cancel reached its lease: here the pool hands the connection over at once and the cancel
     * comes too late to matter, but when that lease had to wait (another queued lease took the free
     * connection first) the innocent call failed with an unchecked {@code CancellationException}. This
     * was seen once under the 10 000 mixed operations of {@code AdmissionControlTest}; the test here
     * looks at the cause, which call object the next call runs on.
     */
    @Test
    void aLateCancelOfARequestThatHeldTheCallCannotEndTheThreadsNextCall() throws Exception {
        try (FaultServer server = FaultServer.start();
             SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.recommended()).build()) {
            final Call reusable = callOf(client, server);
            final SplitCancelRequest cancelled = new SplitCancelRequest(server, "/cancelled");
            cancelled.markOnFirstHandle = true;
            assertThatThrownBy(() -> client.execute(cancelled, r -> r.getCode()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("Request aborted");
            assertThat(cancelled.markedHandle).as("the request was marked while it held the call").isSameAs(reusable);
            assertThat(reusable.leaseEscaped).isTrue();

            final SplitCancelRequest next = new SplitCancelRequest(server, "/next");
            next.lateCancelOnFirstHandle = cancelled.markedHandle; // the preempted canceller resumes now
            final int code = client.execute(next, r -> {
                EntityUtils.consume(r.getEntity());
                assertThat(openCall()).as("the next call runs on a new call object").isNotSameAs(reusable);
                return r.getCode();
            });
            assertThat(code).isEqualTo(200);
            assertThat(next.lateCancelled).as("the late cancel was delivered").isTrue();
            assertThat(server.requests()).extracting(RecordedRequest::path)
                    .as("the cancelled request never reached the server").containsExactly("/", "/next");
            assertThat(client.poolStats().getLeased()).as("leased connections").isZero();
            assertThat(client.poolStats().getPending()).as("pending leases").isZero();
            assertThat(client.callsInFlight()).as("calls in flight").isZero();
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

    /**
     * A request with {@code HttpUriRequestBase}'s cancel semantics (a marked reference to the current
     * dependency), whose cancel can be split into its mark and its delivery.
     */
    private static final class SplitCancelRequest extends BasicClassicHttpRequest implements CancellableDependency {

        private final AtomicMarkableReference<Cancellable> dependency = new AtomicMarkableReference<>(null, false);
        /** Mark this request cancelled when the first handle is installed, without cancelling the handle. */
        boolean markOnFirstHandle;
        /** A handle to cancel (late) when this request installs its first handle. */
        Cancellable lateCancelOnFirstHandle;
        Cancellable markedHandle;
        boolean lateCancelled;
        private boolean sawHandle;

        SplitCancelRequest(FaultServer server, String path) {
            super("GET", server.uri(path));
        }

        @Override
        public void setDependency(Cancellable cancellable) {
            final Cancellable current = dependency.getReference();
            if (!dependency.compareAndSet(current, cancellable, false, false)) {
                cancellable.cancel(); // already cancelled: cancel the new dependency at once
                return;
            }
            if (!sawHandle) {
                sawHandle = true;
                if (markOnFirstHandle) {
                    dependency.attemptMark(cancellable, true); // the canceller's first step; its second never comes here
                    markedHandle = cancellable;
                }
                if (lateCancelOnFirstHandle != null) {
                    lateCancelled = true;
                    lateCancelOnFirstHandle.cancel(); // the preempted canceller's second step
                }
            }
        }

        @Override
        public boolean isCancelled() {
            return dependency.isMarked();
        }

        @Override
        public boolean cancel() {
            while (!dependency.isMarked()) {
                final Cancellable current = dependency.getReference();
                if (dependency.compareAndSet(current, current, false, true)) {
                    if (current != null) {
                        current.cancel();
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
