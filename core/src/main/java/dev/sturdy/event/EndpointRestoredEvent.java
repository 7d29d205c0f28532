package dev.sturdy.event;

import java.time.Duration;
import java.util.Objects;

/**
 * An ejected endpoint was admitted again. After an ejection that ended by time it is on probation: one
 * more error ejects it again, for longer.
 *
 * @param endpoint   {@code scheme://host:port} of the restored endpoint (never a path, query or user-info)
 * @param group      {@code scheme://host:port} of the endpoint group's service, or the endpoint itself
 *                   when it belongs to no group
 * @param reason     why: {@link #EJECTION_ENDED} or {@link #HEALTH_CHECK_PASSED}
 * @param ejectedFor how long the endpoint was ejected
 */
public record EndpointRestoredEvent(String endpoint, String group, String reason, Duration ejectedFor) {

    /** Reason: the ejection time passed. */
    public static final String EJECTION_ENDED = "ejection-ended";
    /** Reason: active health checks passed {@code healthyThreshold} times in a row. */
    public static final String HEALTH_CHECK_PASSED = "health-check-passed";

    /** Checks that no component is null. */
    public EndpointRestoredEvent {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(ejectedFor, "ejectedFor");
    }
}
