package dev.sturdy.internal.ejection;

import dev.sturdy.event.EndpointEjectedEvent;

/** Why an endpoint was last ejected: the event token and the words used in exception messages. */
enum EjectionReason {
    CONSECUTIVE_ERRORS(EndpointEjectedEvent.CONSECUTIVE_ERRORS),
    ERROR_ON_PROBATION(EndpointEjectedEvent.ERROR_ON_PROBATION),
    HEALTH_CHECK(EndpointEjectedEvent.HEALTH_CHECK);

    final String token;

    EjectionReason(String token) {
        this.token = token;
    }

    /** @return e.g. {@code 5 consecutive errors}, {@code error on probation}, {@code 2 failed health checks} */
    String describe(int count) {
        switch (this) {
            case CONSECUTIVE_ERRORS:
                return count + (count == 1 ? " consecutive error" : " consecutive errors");
            case ERROR_ON_PROBATION:
                return "error on probation";
            default:
                return count + (count == 1 ? " failed health check" : " failed health checks");
        }
    }
}
