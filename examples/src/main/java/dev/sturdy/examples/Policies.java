package dev.sturdy.examples;

import dev.sturdy.CircuitBreakerPolicy;
import dev.sturdy.ConnectionPoolPolicy;
import dev.sturdy.HttpRetryPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import java.time.Duration;
import java.util.Locale;

/** Prints policies in one short line, for the examples' output (the policies' own {@code toString} is complete but long). */
final class Policies {

    private Policies() {
    }

    /**
     * One line describing a policy, built from its accessors.
     *
     * @param p the policy
     * @return e.g. {@code connect 200 ms x 3 attempts | per-try 400 ms | deadline 3 s | 5 retries on [5xx] ...}
     */
    static String describe(ResiliencePolicy p) {
        final StringBuilder sb = new StringBuilder();
        final TimeoutPolicy t = p.timeouts();
        sb.append("connect ").append(human(t.connectTimeout())).append(" x ")
                .append(p.tcpRetry().maxConnectAttempts()).append(p.tcpRetry().maxConnectAttempts() == 1 ? " attempt" : " attempts");
        t.perTryTimeout().ifPresent(d -> sb.append(" | per-try ").append(human(d)));
        sb.append(" | deadline ").append(human(t.responseTimeout()));
        if (p.retry().isPresent()) {
            final HttpRetryPolicy r = p.retry().get();
            sb.append(" | ").append(r.maxRetries()).append(" retries on ").append(r.retryOn());
            if (!r.statusCodes().isEmpty()) {
                sb.append(' ').append(r.statusCodes());
            }
            if (!r.headers().isEmpty()) {
                sb.append(' ').append(r.headers());
            }
            sb.append(", backoff ").append(human(r.initialDelay())).append("..").append(human(r.maxInterval()));
            sb.append(r.respectRetryAfter() ? ", Retry-After honoured" : ", Retry-After ignored");
            sb.append(r.retryNonIdempotent() ? ", POST retried too" : ", POST not resent");
            sb.append(r.budget().isUnlimited() ? ", no retry budget"
                    : String.format(Locale.ROOT, ", budget %s %% / min %d", number(r.budget().percent()),
                            r.budget().minRetryConcurrency()));
        } else {
            sb.append(" | no retries");
        }
        if (p.circuitBreaker().isPresent()) {
            final CircuitBreakerPolicy cb = p.circuitBreaker().get();
            sb.append(" | breaker: eject after ").append(cb.consecutiveErrors())
                    .append(cb.gatewayErrorsOnly() ? " 502/503/504 or connect errors" : " errors")
                    .append(" in a row for k x ").append(human(cb.baseEjectionTime())).append(" (k-th ejection, max ")
                    .append(human(cb.maxEjectionTime())).append("; k - 1 per error-free ").append(human(cb.interval()))
                    .append("), at most ").append(cb.maxEjectionPercent()).append(" % of a group ejected");
        } else {
            sb.append(" | no breaker");
        }
        final ConnectionPoolPolicy pool = p.connectionPool();
        if (!pool.equals(ConnectionPoolPolicy.defaults())) {
            sb.append(" | pool ").append(pool.maxConnections()).append(" connections, ")
                    .append(pool.http1MaxPendingRequests()).append(" pending, ")
                    .append(pool.http2MaxRequests()).append(" in flight");
        }
        return sb.toString();
    }

    /**
     * @param d a duration
     * @return it in the largest unit that keeps it whole: {@code 200 ms}, {@code 15 s}, {@code 10 min}
     */
    static String human(Duration d) {
        final long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0 && ms >= 1000) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
