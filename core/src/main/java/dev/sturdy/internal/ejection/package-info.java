/**
 * Outlier ejection, endpoint groups and active health checks (SPEC 4 and 6), transport-neutral and
 * shared with sturdy's adapters (not API; to be exported only to them).
 *
 * <ul>
 *   <li>{@link dev.sturdy.internal.ejection.OutlierDetector}: one per client; per-endpoint
 *       {@link dev.sturdy.internal.ejection.EndpointState} in a bounded map, ejection on consecutive
 *       errors ({@link dev.sturdy.internal.ejection.ErrorKind}), k x base ejection times, probation,
 *       lazy restore plus a periodic sweep, events, INFO logs and the {@code ejections_*} counters.</li>
 *   <li>{@link dev.sturdy.internal.ejection.EndpointSelector}: one per endpoint group; picks a member
 *       that is not ejected, round-robin or least-outstanding, preferring members not yet tried.</li>
 *   <li>{@link dev.sturdy.internal.ejection.HealthChecker}: one per group with a health check; probes
 *       through the adapter's {@link dev.sturdy.internal.ejection.HealthProbe} on a shared scheduler.</li>
 * </ul>
 *
 * <p>Per attempt, the adapter does:
 * <pre>{@code
 * long now = ticker.nanoTime();
 * detector.sweepIfDue(now);                       // unless a scheduler runs detector.sweep every interval
 * EndpointState s;
 * if (group != null) {                            // the request's target is a group's service
 *     int i = selector.select(tried, now);
 *     if (i == EndpointSelector.NONE) throw selector.ejectedException(now);
 *     tried |= 1L << i;
 *     s = selector.member(i);                     // send the attempt to selector.key(i)
 * } else {
 *     s = detector.endpoint(target);
 *     if (detector.isEjected(s, now)) throw detector.ejectedException(s, now);
 * }
 * s.requestStarted();
 * try {
 *     ... one attempt ...
 *     detector.onResponse(s, status);             // or detector.onFailure(s, failureClass)
 * } finally {
 *     s.requestEnded();
 * }
 * }</pre>
 * Time comes from an injectable {@link dev.sturdy.internal.runtime.Ticker}; nothing here sleeps.
 */
package dev.sturdy.internal.ejection;
