package dev.sturdy.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An endpoint was ejected: it gets no traffic until {@code until} (or, after a failed health check,
 * until a probe passes).
 *
 * @param endpoint  {@code scheme://host:port} of the ejected endpoint (never a path, query or user-info)
 * @param group     {@code scheme://host:port} of the endpoint group's service, or the endpoint itself
 *                  when it belongs to no group
 * @param reason    why: {@link #CONSECUTIVE_ERRORS}, {@link #ERROR_ON_PROBATION} or {@link #HEALTH_CHECK}
 * @param errors    the errors in a row that ejected it (failed probes for {@link #HEALTH_CHECK})
 * @param ejections the ejection multiplier k: this ejection lasts k times the base ejection time,
 *                  capped (1 for a first ejection; unchanged by a health-check ejection, possibly 0)
 * @param duration  how long the ejection lasts; for a health-check ejection the probe interval, the
 *                  earliest a passing probe can end it
 * @param until     the wall-clock time the ejection ends (for a health-check ejection: the next probe)
 */
public record EndpointEjectedEvent(String endpoint, String group, String reason, int errors, int ejections,
                                   Duration duration, Instant until) {

    /** Reason: {@code consecutiveErrors} errors in a row. */
    public static final String CONSECUTIVE_ERRORS = "consecutive-errors";
    /** Reason: one error after an earlier ejection ended, while the endpoint was on probation. */
    public static final String ERROR_ON_PROBATION = "error-on-probation";
    /** Reason: active health checks failed {@code unhealthyThreshold} times in a row. */
    public static final String HEALTH_CHECK = "health-check";

    /** Checks that no component is null. */
    public EndpointEjectedEvent {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(until, "until");
    }
}
