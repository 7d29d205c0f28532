/**
 * Loopback test fixtures for the HttpClient 5 adapter: real sockets on {@code 127.0.0.1}, no mocks.
 *
 * <ul>
 *   <li>{@link dev.sturdy.httpclient5.testing.FaultServer}: a scripted HTTP/1.1 server; each request gets
 *       the next {@link dev.sturdy.httpclient5.testing.Fault} (respond, reset, close, slow drip,
 *       truncated body, silent, delay) and is recorded as a {@link dev.sturdy.httpclient5.testing.RecordedRequest}.</li>
 *   <li>{@link dev.sturdy.httpclient5.testing.RefusingPort}: connects are refused;
 *       {@link dev.sturdy.httpclient5.testing.BacklogFullServer}: connects time out;
 *       {@link dev.sturdy.httpclient5.testing.TlsStallServer}: TLS handshakes time out.</li>
 *   <li>{@link dev.sturdy.httpclient5.testing.PoolAssertions}: nothing leased or pending after a test.</li>
 *   <li>{@link dev.sturdy.httpclient5.testing.LogCapture}: every SLF4J event, for "never logs the secret"
 *       and "retries log at DEBUG" assertions.</li>
 *   <li>{@link dev.sturdy.httpclient5.testing.FixtureThreads}: all fixture threads are named
 *       {@code fault-server-*}; {@code assertNoThreadsLeft} proves {@code close()} stopped them.</li>
 * </ul>
 */
package dev.sturdy.httpclient5.testing;
