package dev.sturdy.event;

import java.util.Map;
import java.util.Set;

/**
 * Read access to a client's counters. Values are live: each read returns the count at that moment.
 *
 * <p>Thread-safety: safe to read from any thread while the client is in use.
 */
public interface ResilienceMetrics {

    /**
     * @param counter which counter
     * @return its value for the whole client
     */
    long get(ResilienceCounter counter);

    /**
     * @return every counter of the whole client, in declaration order
     */
    Map<ResilienceCounter, Long> snapshot();

    /**
     * @return the endpoints ({@code scheme://host:port}) that have per-endpoint counters now; idle
     *         endpoints are evicted once many endpoints are tracked, so this set is bounded
     */
    Set<String> endpoints();

    /**
     * @param endpoint an endpoint as {@code scheme://host:port}
     * @param counter  which counter
     * @return its value for that endpoint, 0 when the endpoint is not tracked
     */
    long get(String endpoint, ResilienceCounter counter);
}
