package dev.sturdy.httpclient5.internal;

import dev.sturdy.event.AttemptFailedEvent;
import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.DelaySource;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.event.RetriesExhaustedEvent;
import dev.sturdy.event.RetryBudgetExceededEvent;
import dev.sturdy.event.RetryScheduledEvent;
import dev.sturdy.event.TimeoutEvent;
import dev.sturdy.event.TimeoutKind;
import java.time.Duration;
import org.apache.hc.core5.http.HttpHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes decisions to the policy's listener and to SLF4J. Event objects are built only when a
 * listener is installed; log arguments only when the level is enabled. Endpoints are
 * {@code scheme://host:port}: no path, query, user-info or header value is ever logged.
 */
final class Events {

    private static final Logger LOG = LoggerFactory.getLogger("dev.sturdy.httpclient5");

    private Events() {
    }

    static String endpoint(HttpHost host) {
        return host == null ? "unknown" : host.toURI();
    }

    static void attemptFailed(PolicyState ps, String method, HttpHost target, int attempt, String outcome) {
        final ResilienceListener l = ps.policy.listener();
        if (l != ResilienceListener.NONE) {
            safely(l, () -> l.onAttemptFailed(new AttemptFailedEvent(method, endpoint(target), attempt, outcome)));
        }
    }

    static void retryScheduled(PolicyState ps, String method, HttpHost target, int attempt, int retry, String reason,
                        long delayNanos, DelaySource source, String outcome) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("retrying {} {}: attempt {} failed ({}); retry {} on {} in {} ms ({})", method,
                    endpoint(target), attempt, outcome, retry, reason, delayNanos / 1_000_000,
                    source.name().toLowerCase(java.util.Locale.ROOT));
        }
        final ResilienceListener l = ps.policy.listener();
        if (l != ResilienceListener.NONE) {
            safely(l, () -> l.onRetryScheduled(new RetryScheduledEvent(method, endpoint(target), retry, reason,
                    Duration.ofNanos(delayNanos), source)));
        }
    }

    static void retriesExhausted(PolicyState ps, String method, HttpHost target, int attempts, String reason) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("not retrying {} {} after {} {}: {}", method, endpoint(target), attempts,
                    attempts == 1 ? "attempt" : "attempts", reason);
        }
        final ResilienceListener l = ps.policy.listener();
        if (l != ResilienceListener.NONE) {
            safely(l, () -> l.onRetriesExhausted(new RetriesExhaustedEvent(method, endpoint(target), attempts, reason)));
        }
    }

    static void budgetExceeded(PolicyState ps, String method, HttpHost target, int attempts, int inFlight, int allowed) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("retry budget exhausted for {} {}: {} retries in flight, {} allowed", method,
                    endpoint(target), inFlight, allowed);
        }
        final ResilienceListener l = ps.policy.listener();
        if (l != ResilienceListener.NONE) {
            safely(l, () -> l.onRetryBudgetExceeded(
                    new RetryBudgetExceededEvent(method, endpoint(target), attempts, inFlight, allowed)));
        }
    }

    static void timeout(PolicyState ps, String method, HttpHost target, TimeoutKind kind, Duration timeout, int attempt) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} timeout {} fired for {} {} (attempt {})", kind == TimeoutKind.OVERALL ? "response" : "per-try",
                    timeout, method, endpoint(target), attempt);
        }
        final ResilienceListener l = ps.policy.listener();
        if (l != ResilienceListener.NONE) {
            safely(l, () -> l.onTimeout(new TimeoutEvent(method, endpoint(target), kind, timeout, attempt)));
        }
    }

    static void circuitRejected(PolicyState ps, String method, HttpHost service, int attempt, java.time.Instant retryAt) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} refused: every endpoint is ejected, next try at {}", method, endpoint(service), retryAt);
        }
        final ResilienceListener l = ps.policy.listener();
        if (l != ResilienceListener.NONE) {
            safely(l, () -> l.onCircuitRejected(new CircuitRejectedEvent(method, endpoint(service), attempt, retryAt)));
        }
    }

    private static void safely(ResilienceListener listener, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("listener {} threw; the call goes on unaffected", listener, e);
        }
    }
}
