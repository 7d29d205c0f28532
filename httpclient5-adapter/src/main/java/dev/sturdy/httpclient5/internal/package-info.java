/**
 * How sturdy runs inside HttpClient 5's classic exec chain. Not API.
 *
 * <p>Three chain handlers are installed: {@link dev.sturdy.httpclient5.internal.CallHandler} first
 * (the whole call: deadline, retry budget, attempt count), {@link dev.sturdy.httpclient5.internal.AttemptHandler}
 * just before {@code PROTOCOL} (the retry loop of one redirect hop: every attempt with its real target,
 * and connect/TLS/pool failures thrown by {@code CONNECT}), and
 * {@link dev.sturdy.httpclient5.internal.DispatchMarker} last, just before {@code MAIN_TRANSPORT}, which
 * records that the request is about to be written: failures before it provably never reached the
 * server. All three anchors are always present, so none is silently dropped.
 */
package dev.sturdy.httpclient5.internal;
