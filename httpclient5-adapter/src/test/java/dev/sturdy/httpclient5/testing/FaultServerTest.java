package dev.sturdy.httpclient5.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The FaultServer's recording, scripting and HTTP/1.1 handling, driven over plain sockets. */
class FaultServerTest {

    private static final Duration WAIT = Duration.ofSeconds(2);

    @Test
    void bindsToLoopbackOnAnEphemeralPort() {
        try (FaultServer server = FaultServer.start()) {
            assertThat(server.port()).isPositive();
            assertThat(server.baseUrl()).isEqualTo("http://127.0.0.1:" + server.port());
            assertThat(server.uri("/a?b=c").toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/a?b=c");
            assertThat(server.httpHost().toURI()).isEqualTo("http://127.0.0.1:" + server.port());
        }
    }

    @Test
    void recordsMethodTargetHeadersBodyAndArrivalOrder() throws Exception {
        try (FaultServer server = FaultServer.start(); RawHttp client = RawHttp.connect(server.port())) {
            long before = System.nanoTime();
            client.send("POST /orders?id=7 HTTP/1.1\r\nHost: x\r\nX-Trace: a\r\nx-trace: b\r\n"
                    + "Content-Length: 5\r\n\r\nhello");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 0\r\n");
            client.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n");
            client.readResponse();

            List<RecordedRequest> requests = server.awaitRequestCount(2, WAIT);
            RecordedRequest post = requests.get(0);
            assertThat(post.sequence()).isEqualTo(1);
            assertThat(post.method()).isEqualTo("POST");
            assertThat(post.target()).isEqualTo("/orders?id=7");
            assertThat(post.path()).isEqualTo("/orders");
            assertThat(post.header("x-TRACE")).contains("a");
            assertThat(post.headerValues("X-Trace")).containsExactly("a", "b");
            assertThat(post.header("Absent")).isEmpty();
            assertThat(post.headerValues("Absent")).isEmpty();
            assertThat(post.bodyAsString()).isEqualTo("hello");
            assertThat(post.receivedNanos()).isGreaterThanOrEqualTo(before);
            assertThat(post.fault()).isEqualTo(Fault.ok());
            assertThat(post.toString()).isEqualTo("#1 POST /orders (connection 1, respond(200))");

            RecordedRequest get = requests.get(1);
            assertThat(get.sequence()).isEqualTo(2);
            assertThat(get.connectionId()).isEqualTo(post.connectionId());
            assertThat(get.receivedNanos()).isGreaterThanOrEqualTo(post.receivedNanos());
            assertThat(get.body()).isEmpty();
            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(server.requestCount("POST")).isEqualTo(1);
            assertThat(server.requestCount("post")).isZero();
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void decodesChunkedBodiesAndAnswersExpectContinue() throws Exception {
        try (FaultServer server = FaultServer.start(); RawHttp client = RawHttp.connect(server.port())) {
            client.send("PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
            assertThat(new String(client.socket().getInputStream().readNBytes(25), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            client.send("3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: t\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200 OK");

            assertThat(server.awaitRequestCount(1, WAIT).get(0).bodyAsString()).isEqualTo("abcdefg");
        }
    }

    @Test
    void appliesScriptedFaultsInOrderThenTheDefault() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.respond(204))) {
            server.enqueue(Fault.respond(503).header("Retry-After", "1").body("busy"),
                    Fault.respond(200).header("x-ms-retriable", "true"));
            assertThat(server.pendingFaultCount()).isEqualTo(2);
            try (RawHttp client = RawHttp.connect(server.port())) {
                assertThat(client.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
                        .isEqualTo("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 4\r\n\r\nbusy");
                assertThat(client.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
                        .isEqualTo("HTTP/1.1 200 OK\r\nx-ms-retriable: true\r\nContent-Length: 0\r\n\r\n");
                assertThat(client.send("GET /3 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
                        .isEqualTo("HTTP/1.1 204 No Content\r\n\r\n");
                server.setDefaultBehaviour(Fault.respond(409));
                assertThat(client.send("GET /4 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
                        .startsWith("HTTP/1.1 409 Conflict\r\n");
            }
            assertThat(server.pendingFaultCount()).isZero();
            assertThat(server.requests()).extracting(r -> r.fault().toString()).containsExactly(
                    "respond(503, [Retry-After: 1], 4 body bytes)", "respond(200, [x-ms-retriable: true])",
                    "respond(204)", "respond(409)");
        }
    }

    @Test
    void closesTheConnectionWhenTheResponseSaysSo() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.ok("bye").closingConnection());
                RawHttp client = RawHttp.connect(server.port())) {
            assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd())
                    .contains("Connection: close\r\n").endsWith("\r\n\r\nbye");
            server.awaitOpenConnectionCount(0, WAIT);
        }
    }

    @Test
    void omitsTheBodyOfHeadResponsesButKeepsItsLength() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.ok("12345").closingConnection());
                RawHttp client = RawHttp.connect(server.port())) {
            assertThat(client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd())
                    .contains("Content-Length: 5\r\n").endsWith("\r\n\r\n");
        }
    }

    @Test
    void resetOnAcceptResetsANewConnectionAtOnce() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            server.enqueue(Fault.resetOnAccept());
            // the RST races the client: it may fail the connect itself, or the first read
            assertThatThrownBy(() -> {
                try (RawHttp client = RawHttp.connect(server.port())) {
                    client.readToEnd();
                }
            }).isInstanceOf(SocketException.class).hasMessageStartingWith("Connection reset");
            assertThat(server.resetBeforeRequestCount()).isEqualTo(1);
            assertThat(server.requestCount()).isZero();
            assertThat(server.connectionCount()).isEqualTo(1);
            assertThat(server.pendingFaultCount()).isZero();
        }
    }

    @Test
    void resetBeforeRequestWaitsForTheRequestThenResetsWithoutReadingIt() throws Exception {
        try (FaultServer server = FaultServer.start(); RawHttp client = RawHttp.connect(server.port())) {
            server.enqueue(Fault.resetBeforeRequest());
            client.send("GET /never-read HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThatThrownBy(client::readToEnd).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(server.resetBeforeRequestCount()).isEqualTo(1);
            assertThat(server.requestCount()).isZero();
            assertThat(server.pendingFaultCount()).isZero();
        }
    }

    @Test
    void resetBeforeRequestOnAKeptAliveConnectionWaitsForTheNextRequest() throws Exception {
        try (FaultServer server = FaultServer.start(); RawHttp client = RawHttp.connect(server.port())) {
            client.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            server.enqueue(Fault.resetBeforeRequest());
            client.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThatThrownBy(client::readToEnd).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(server.requests()).extracting(RecordedRequest::target).containsExactly("/1");
            assertThat(server.resetBeforeRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void resetAfterRequestRecordsTheRequestThenSendsRst() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.resetAfterRequest());
                RawHttp client = RawHttp.connect(server.port())) {
            client.send("GET /r HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThatThrownBy(client::readToEnd).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(server.awaitRequestCount(1, WAIT).get(0).target()).isEqualTo("/r");
        }
    }

    @Test
    void closeWithoutResponseEndsTheStreamCleanly() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.closeWithoutResponse());
                RawHttp client = RawHttp.connect(server.port())) {
            assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd()).isEmpty();
            assertThat(server.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void truncatedBodySendsFewerBytesThanDeclaredThenCloses() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.truncatedBody(10, 3));
                RawHttp client = RawHttp.connect(server.port())) {
            assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd())
                    .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nxxx");
        }
    }

    @Test
    void slowDripSendsTheHeadAtOnceAndOneByteEachInterval() throws Exception {
        Fault.SlowDrip drip = Fault.slowDrip("abcd", Duration.ofMillis(40));
        assertThat(drip.minimumDuration()).isEqualTo(Duration.ofMillis(160));
        try (FaultServer server = FaultServer.start(drip); RawHttp client = RawHttp.connect(server.port())) {
            long start = System.nanoTime();
            assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
                    .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(drip.minimumDuration());
        }
    }

    @Test
    void delayedResponseWaitsBeforeSendingAnything() throws Exception {
        try (FaultServer server = FaultServer.start(Fault.ok("late").delayedBy(Duration.ofMillis(150)));
                RawHttp client = RawHttp.connect(server.port())) {
            long start = System.nanoTime();
            assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()).endsWith("late");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }
    }

    @Test
    void silentHoldsTheConnectionUntilTheServerCloses() throws Exception {
        FaultServer server = FaultServer.start(Fault.silent());
        try (RawHttp client = RawHttp.connect(server.port())) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            server.awaitRequestCount(1, WAIT);
            client.socket().setSoTimeout(100);
            assertThatThrownBy(client::readToEnd).isInstanceOf(java.net.SocketTimeoutException.class);
            client.socket().setSoTimeout(5_000);
            long start = System.nanoTime();
            server.close();
            assertThat(client.readToEnd()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            server.close();
        }
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
    }

    @Test
    void closeEndsLongDelaysAndDripsAtOnceAndStopsEveryThread() throws Exception {
        FaultServer server = FaultServer.start();
        server.enqueue(Fault.ok().delayedBy(Duration.ofSeconds(30)), Fault.slowDrip("abc", Duration.ofSeconds(30)));
        try (RawHttp delayed = RawHttp.connect(server.port()); RawHttp dripping = RawHttp.connect(server.port());
                RawHttp idle = RawHttp.connect(server.port())) {
            delayed.send("GET /delayed HTTP/1.1\r\nHost: x\r\n\r\n");
            server.awaitRequestCount(1, WAIT);
            dripping.send("GET /drip HTTP/1.1\r\nHost: x\r\n\r\n");
            server.awaitRequestCount(2, WAIT);
            assertThat(FixtureThreads.liveThreads(server.threadNamePrefix())).hasSize(4); // acceptor + 3 connections
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(delayed.readToEnd()).isEmpty();
            assertThat(idle.readToEnd()).isEmpty();
        }
        assertThat(FixtureThreads.liveThreads(server.threadNamePrefix())).isEmpty();
        FixtureThreads.assertNoThreadsLeft(server.threadNamePrefix());
        server.close(); // idempotent
    }

    @Test
    void awaitRequestCountFailsWithWhatArrived() throws Exception {
        try (FaultServer server = FaultServer.start(); RawHttp client = RawHttp.connect(server.port())) {
            client.send("GET /only HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            assertThatThrownBy(() -> server.awaitRequestCount(2, Duration.ofMillis(50)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessage("expected at least 2 requests, got 1: [#1 GET /only (connection 1, respond(200))]"
                            + " (waited 50 ms)");
        }
    }

    @Test
    void countsConnectionsAndSeesClientsClose() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            RawHttp first = RawHttp.connect(server.port());
            RawHttp second = RawHttp.connect(server.port());
            server.awaitOpenConnectionCount(2, WAIT);
            first.close();
            second.close();
            server.awaitOpenConnectionCount(0, WAIT);
            assertThat(server.connectionCount()).isEqualTo(2);
        }
    }

    @Test
    void dropsMalformedRequestsWithoutFailingTheServer() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            try (RawHttp client = RawHttp.connect(server.port())) {
                assertThat(client.send("GET / HTTP/1.1\r\nBad Name: v\r\n\r\n").readToEnd()).isEmpty();
            }
            try (RawHttp client = RawHttp.connect(server.port())) {
                assertThat(client.send("NONSENSE\r\n\r\n").readToEnd()).isEmpty();
            }
            try (RawHttp client = RawHttp.connect(server.port())) {
                assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()).startsWith("HTTP/1.1 200");
            }
            assertThat(server.requestCount()).isEqualTo(1);
        } // close() would throw if a connection handler had failed
    }

    @Test
    void rejectsInvalidFaults() {
        assertThatThrownBy(() -> Fault.respond(99)).hasMessage("status: 99 (expected: 100-999)");
        assertThatThrownBy(() -> Fault.truncatedBody(5, 5))
                .hasMessage("sentLength: 5 (expected: >= 0 and < declaredLength 5)");
        assertThatThrownBy(() -> Fault.slowDrip("a", Duration.ZERO)).hasMessage("interval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> Fault.ok().delayedBy(Duration.ofMillis(-1)))
                .hasMessage("delay: PT-0.001S (expected: >= 0)");
        assertThatThrownBy(() -> Fault.ok().header("Bad Name", "v"))
                .hasMessage("name: \"Bad Name\" (expected: an HTTP token)");
        assertThatThrownBy(() -> Fault.ok().header("X", "a\r\nInjected: 1")).hasMessage("value of X contains CR or LF");
    }
}
