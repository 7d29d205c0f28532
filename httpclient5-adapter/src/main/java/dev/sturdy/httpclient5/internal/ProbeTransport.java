package dev.sturdy.httpclient5.internal;

import dev.sturdy.HealthCheckPolicy;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Sends the active health probes of one client's endpoint groups. The classic client probes with a
 * small classic HttpClient on probe threads ({@link ClassicProbes}), the async client with a small async
 * HttpClient on one I/O thread ({@link AsyncProbes}); both connect as the client's own calls do (the
 * pool builder the policy sets up, then the user's pool customizer: TLS strategy, DNS resolver, socket
 * settings), and neither goes through sturdy's handlers (no retries, no deadline, no counters).
 */
interface ProbeTransport extends AutoCloseable {

    /**
     * Starts {@code GET policy.path()} against {@code member}, with the group's service as the request's
     * authority (its {@code Host} header and, over TLS, the server name and the name the certificate
     * must carry), as real calls to the member have it. Never blocks the caller.
     *
     * @return completes with the response status, or exceptionally; cancelling it aborts the request
     */
    CompletableFuture<Integer> probe(HttpHost member, HealthCheckPolicy policy, URIAuthority serviceAuthority);

    /** Aborts probes in flight, closes the connections and stops the transport's threads. */
    @Override
    void close();

    /** Builds the transport of a client, only when one of its groups has a health check. */
    @FunctionalInterface
    interface Factory {

        /**
         * @param probedMembers the number of members with a health check: at most this many probes are
         *                      in flight at once
         */
        ProbeTransport create(int probedMembers);
    }
}
