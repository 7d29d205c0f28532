package dev.sturdy.httpclient5;

import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceListener;
import dev.sturdy.event.RetryScheduledEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Records the ejection events of a client (ejected, restored, circuit rejected, retry scheduled) in
 * arrival order, and follows the set of ejected endpoints they describe: an ejection of an endpoint
 * already ejected, or a restore of one that is not, is counted as an inconsistency.
 *
 * <p>Thread-safe (every method is synchronized).
 */
final class EjectionListener implements ResilienceListener {

    private final List<Object> events = new ArrayList<>();
    private final Set<String> ejected = new LinkedHashSet<>();
    private final List<String> inconsistencies = new ArrayList<>();
    private int maxEjectedAtOnce;

    @Override
    public synchronized void onEndpointEjected(EndpointEjectedEvent event) {
        events.add(event);
        if (!ejected.add(event.endpoint())) {
            inconsistencies.add("ejected while already ejected: " + event);
        }
        maxEjectedAtOnce = Math.max(maxEjectedAtOnce, ejected.size());
    }

    @Override
    public synchronized void onEndpointRestored(EndpointRestoredEvent event) {
        events.add(event);
        if (!ejected.remove(event.endpoint())) {
            inconsistencies.add("restored while not ejected: " + event);
        }
    }

    @Override
    public synchronized void onCircuitRejected(CircuitRejectedEvent event) {
        events.add(event);
    }

    @Override
    public synchronized void onRetryScheduled(RetryScheduledEvent event) {
        events.add(event);
    }

    /** @return every recorded event, in arrival order */
    synchronized List<Object> events() {
        return List.copyOf(events);
    }

    /** @return the ejection and restore events only, in arrival order */
    synchronized List<Object> ejectionEvents() {
        return events.stream().filter(e -> e instanceof EndpointEjectedEvent || e instanceof EndpointRestoredEvent)
                .collect(Collectors.toList());
    }

    synchronized List<EndpointEjectedEvent> ejections() {
        return ofType(EndpointEjectedEvent.class);
    }

    synchronized List<EndpointEjectedEvent> ejections(String endpoint) {
        return ejections().stream().filter(e -> e.endpoint().equals(endpoint)).collect(Collectors.toList());
    }

    synchronized List<EndpointRestoredEvent> restores() {
        return ofType(EndpointRestoredEvent.class);
    }

    synchronized List<CircuitRejectedEvent> rejections() {
        return ofType(CircuitRejectedEvent.class);
    }

    synchronized List<RetryScheduledEvent> retries() {
        return ofType(RetryScheduledEvent.class);
    }

    /** @return the endpoints ejected now, according to the events */
    synchronized Set<String> ejectedNow() {
        return Set.copyOf(ejected);
    }

    /** @return the largest number of endpoints ejected at the same time, according to the events */
    synchronized int maxEjectedAtOnce() {
        return maxEjectedAtOnce;
    }

    /** @return ejections of an ejected endpoint and restores of an admitted one (should be empty) */
    synchronized List<String> inconsistencies() {
        return List.copyOf(inconsistencies);
    }

    private <T> List<T> ofType(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }
}
