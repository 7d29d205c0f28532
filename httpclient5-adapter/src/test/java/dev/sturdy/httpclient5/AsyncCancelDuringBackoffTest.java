package dev.sturdy.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.RetryOn;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.event.ResilienceCounter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling an async call's future while it waits to retry ends the call at once, also when its first
 * attempt failed synchronously, on the caller's thread inside {@code execute} (here: a name that does
 * not resolve, which HttpClient resolves on the thread that connects). Before, the attempt's finished
 * future replaced the retry's cancel hook as what the caller's cancel reaches: the call kept its
 * in-flight place and retry-budget slot until the backoff ended (and with an immediate retry, a cancel
 * could miss the next attempt, which then went out after the caller had cancelled).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AsyncCancelDuringBackoffTest {

    private SturdyHttpAsyncClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
    }

    /** Every name fails to resolve, on the thread that connects (the caller's, for a first attempt). */
    private static final DnsResolver NO_DNS = new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            throw new UnknownHostException(host);
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            throw new UnknownHostException(host);
        }
    };

    /**
     * Finding A. The first attempt fails synchronously inside {@code execute()} (the DNS failure happens
     * on the caller's thread), so the retry is scheduled, and its cancel hook set as the caller's
     * future's dependency, before {@code launch} returns; {@code launch} then overwrites that dependency
     * with the finished attempt's future. Cancelling the caller's future no longer reaches the pending
     * retry: the call stays in flight (a call slot and a retry-budget slot held) for the whole backoff.
     */
    @Test
    void cancelAfterASynchronousFailureEndsTheCallAtOnce() throws Exception {
        ResiliencePolicy policy = ResiliencePolicy.builder()
                .timeouts(TimeoutPolicy.builder().responseTimeout(Duration.ofSeconds(30)).build())
                .retry(HttpRetryPolicy.builder().maxRetries(3).retryOn(RetryOn.CONNECT_FAILURE)
                        .backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build())
                .build();
        client = SturdyHttpAsyncClients.custom(policy)
                .connectionManager(b -> b.setDnsResolver(NO_DNS))
                .build();
        client.start();

        Future<SimpleHttpResponse> call = client.execute(
                SimpleRequestBuilder.get("http://unresolvable.invalid/a").build(), null);
        // precondition: the first attempt failed on this thread and its retry waits ~5-10 s
        assertThat(client.metrics().get(ResilienceCounter.RQ_RETRY)).isEqualTo(1);
        assertThat(client.callsInFlight()).isEqualTo(1);
        assertThat(client.retriesInFlight()).isEqualTo(1);

        assertThat(call.cancel(true)).isTrue();

        // cancelling during the backoff wait ends the call at once (cancelPendingRetry -> endCancelled)
        assertThat(client.callsInFlight()).as("calls in flight right after cancel").isZero();
        assertThat(client.retriesInFlight()).as("retries in flight right after cancel").isZero();
    }
}
