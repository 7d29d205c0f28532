package dev.sturdy.internal.ejection;

import dev.sturdy.HealthCheckPolicy;
import java.util.concurrent.CompletionStage;

/**
 * Sends one active health check probe: the adapter's part of health checking. Implementations must
 * not block: start the request and return at once.
 */
@FunctionalInterface
public interface HealthProbe {

    /**
     * Starts {@code GET policy.path()} against one member.
     *
     * @param member the member's key, as given to {@link OutlierDetector#group}; its {@code toString()}
     *               is {@code scheme://host:port}
     * @param policy the health check policy (path, timeout)
     * @return a stage completing with the response status, or exceptionally when no response came. The
     *         checker enforces {@link HealthCheckPolicy#timeout()} itself and then cancels the stage's
     *         {@code CompletableFuture}, which should abort the request.
     */
    CompletionStage<Integer> probe(Object member, HealthCheckPolicy policy);
}
