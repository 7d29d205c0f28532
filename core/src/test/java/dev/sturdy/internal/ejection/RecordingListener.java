package dev.sturdy.internal.ejection;

import dev.sturdy.event.CircuitRejectedEvent;
import dev.sturdy.event.EndpointEjectedEvent;
import dev.sturdy.event.EndpointRestoredEvent;
import dev.sturdy.event.ResilienceListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every ejection event it receives. */
final class RecordingListener implements ResilienceListener {

    final List<EndpointEjectedEvent> ejected = new CopyOnWriteArrayList<>();
    final List<EndpointRestoredEvent> restored = new CopyOnWriteArrayList<>();
    final List<CircuitRejectedEvent> rejected = new CopyOnWriteArrayList<>();

    @Override
    public void onEndpointEjected(EndpointEjectedEvent event) {
        ejected.add(event);
    }

    @Override
    public void onEndpointRestored(EndpointRestoredEvent event) {
        restored.add(event);
    }

    @Override
    public void onCircuitRejected(CircuitRejectedEvent event) {
        rejected.add(event);
    }

    EndpointEjectedEvent lastEjected() {
        return ejected.get(ejected.size() - 1);
    }

    EndpointRestoredEvent lastRestored() {
        return restored.get(restored.size() - 1);
    }
}
