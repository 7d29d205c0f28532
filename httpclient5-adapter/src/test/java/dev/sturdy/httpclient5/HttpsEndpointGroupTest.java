package dev.sturdy.httpclient5;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sturdy.EndpointGroup;
import dev.sturdy.HealthCheckPolicy;
import dev.sturdy.ResiliencePolicy;
import dev.sturdy.httpclient5.faulttable.TestTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS endpoint groups whose members are addresses of one service (replicas reached by IP, as behind
 * a Kubernetes service): the TLS server name and the name checked in the certificate are the
 * service's, the name the requests carry in {@code Host}, for calls and for health probes, in both
 * clients. The test certificate names {@code localhost} and {@code 127.0.0.1}; the replicas listen on
 * 127.0.0.2 and 127.0.0.3, which it does not name, so a member-named TLS check would fail every call
 * and every probe. (The JDK sends no SNI for a name without a dot such as {@code localhost}; the
 * refusal test, with a dotted service name, shows the server name the client asks for.)
 */
class HttpsEndpointGroupTest {

    private final List<TlsReplica> replicas = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (TlsReplica r : replicas) {
            r.close();
        }
    }

    private TlsReplica replica(String address) throws IOException {
        TlsReplica r = new TlsReplica(address);
        replicas.add(r);
        return r;
    }

    private static EndpointGroup group(String service, TlsReplica a, TlsReplica b, boolean probes) {
        EndpointGroup.Builder group = EndpointGroup.builder(service).member(a.url()).member(b.url());
        if (probes) {
            group.healthCheck(HealthCheckPolicy.builder().path("/health").interval(Duration.ofMillis(300))
                    .timeout(Duration.ofMillis(300)).build());
        }
        return group.build();
    }

    @Test
    void classicCallsAndProbesNameTheServiceOverTls() throws Exception {
        TlsReplica a = replica("127.0.0.2");
        TlsReplica b = replica("127.0.0.3");
        try (SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.recommended())
                .connectionManager(pool -> pool.setTlsSocketStrategy(TestTls.trustingClassicStrategy()))
                .endpointGroup(group("https://localhost:8443", a, b, true))
                .build()) {
            for (int i = 0; i < 4; i++) {
                String body = client.execute(new HttpGet("https://localhost:8443/orders"),
                        r -> EntityUtils.toString(r.getEntity()));
                assertThat(body).isEqualTo("ok");
            }
            awaitTrue(() -> a.probes() > 0 && b.probes() > 0, () -> "each replica is probed: " + a + ", " + b);
        }
        assertServedAsTheService(a, b);
    }

    @Test
    void asyncCallsAndProbesNameTheServiceOverTls() throws Exception {
        TlsReplica a = replica("127.0.0.2");
        TlsReplica b = replica("127.0.0.3");
        try (SturdyHttpAsyncClient client = SturdyHttpAsyncClients.custom(ResiliencePolicy.recommended())
                .connectionManager(pool -> pool.setTlsStrategy(ClientTlsStrategyBuilder.create()
                        .setSslContext(TestTls.trustingClientContext()).buildAsync()))
                .endpointGroup(group("https://localhost:8443", a, b, true))
                .build()) {
            client.start();
            for (int i = 0; i < 4; i++) {
                SimpleHttpResponse response = client.execute(
                        SimpleRequestBuilder.get("https://localhost:8443/orders").build(), null).get(10, TimeUnit.SECONDS);
                assertThat(response.getCode()).isEqualTo(200);
                assertThat(response.getBodyText()).isEqualTo("ok");
            }
            awaitTrue(() -> a.probes() > 0 && b.probes() > 0, () -> "each replica is probed: " + a + ", " + b);
        }
        assertServedAsTheService(a, b);
    }

    @Test
    void aServiceNameTheCertificateDoesNotCarryIsRefused() throws Exception {
        TlsReplica a = replica("127.0.0.2");
        TlsReplica b = replica("127.0.0.3");
        try (SturdyHttpClient client = SturdyHttpClients.custom(ResiliencePolicy.none())
                .connectionManager(pool -> pool.setTlsSocketStrategy(TestTls.trustingClassicStrategy()))
                .endpointGroup(group("https://orders.test:8443", a, b, false))
                .build()) {
            assertThatThrownBy(() -> client.execute(new HttpGet("https://orders.test:8443/orders"), r -> r.getCode()))
                    .isInstanceOf(SSLException.class) // the JDK checks the name during the handshake
                    .hasMessageContaining("orders.test");
        }
        // the replica records its side of the handshake on its own thread, after the client has given up
        awaitTrue(() -> a.serverNames.size() + b.serverNames.size() > 0,
                () -> "the replica's handshake recorded: " + a + ", " + b);
        List<String> names = new ArrayList<>(a.serverNames);
        names.addAll(b.serverNames);
        assertThat(names).as("the client asked for the service's name").containsOnly("orders.test").hasSize(1);
        assertThat(a.calls() + b.calls()).as("no request sent over an unverified connection").isZero();
    }

    /** Each replica took 2 of the 4 calls and its probes, all naming the service, over verified TLS. */
    private static void assertServedAsTheService(TlsReplica... replicas) {
        for (TlsReplica r : replicas) {
            assertThat(r.serverNames).as("connections to %s", r.address).isNotEmpty();
            assertThat(r.hosts).as("Host of every request to %s", r.address).containsOnly("localhost:8443");
            assertThat(r.calls()).as("calls to %s (round-robin)", r.address).isEqualTo(2);
            assertThat(r.handshakeFailures).as("the client checked the certificate against localhost").isEmpty();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what.get());
            }
            Thread.sleep(10);
        }
    }

    /**
     * A TLS HTTP/1.1 replica on one loopback address with the test certificate: answers {@code 200 ok}
     * to every request on a keep-alive connection, and records each connection's requested server name
     * (SNI, empty when none), each request's path and {@code Host}, and failed handshakes.
     */
    private static final class TlsReplica implements AutoCloseable {
        final String address;
        final List<String> serverNames = new CopyOnWriteArrayList<>();
        final List<String> hosts = new CopyOnWriteArrayList<>();
        final List<String> paths = new CopyOnWriteArrayList<>();
        final List<String> handshakeFailures = new CopyOnWriteArrayList<>();
        private final SSLServerSocket server;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final Thread acceptor;

        TlsReplica(String address) throws IOException {
            this.address = address;
            server = (SSLServerSocket) TestTls.serverContext().getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getByName(address));
            acceptor = new Thread(this::accept, "tls-replica-" + address);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "https://" + address + ":" + server.getLocalPort();
        }

        long probes() {
            return paths.stream().filter("/health"::equals).count();
        }

        long calls() {
            return paths.stream().filter("/orders"::equals).count();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) server.accept();
                    open.add(s);
                    Thread t = new Thread(() -> serve(s), "tls-replica-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(SSLSocket s) {
            try (s) {
                List<String> requested = new CopyOnWriteArrayList<>();
                SSLParameters parameters = s.getSSLParameters();
                parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
                    @Override
                    public boolean matches(SNIServerName name) {
                        requested.add(name instanceof SNIHostName h ? h.getAsciiName() : name.toString());
                        return true;
                    }
                }));
                s.setSSLParameters(parameters);
                try {
                    s.startHandshake();
                } catch (IOException e) {
                    handshakeFailures.add(String.valueOf(e));
                    return;
                } finally {
                    serverNames.add(String.join(",", requested));
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
                OutputStream out = s.getOutputStream();
                String requestLine;
                while ((requestLine = in.readLine()) != null) {
                    if (requestLine.isEmpty()) {
                        continue;
                    }
                    String[] parts = requestLine.split(" ");
                    paths.add(parts.length > 1 ? parts[1] : requestLine);
                    String header;
                    while ((header = in.readLine()) != null && !header.isEmpty()) {
                        if (header.regionMatches(true, 0, "host:", 0, 5)) {
                            hosts.add(header.substring(5).trim());
                        }
                    }
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(US_ASCII));
                    out.flush();
                }
            } catch (IOException closedByClient) {
                // the client closed its connection: nothing to record
            } finally {
                open.remove(s);
            }
        }

        @Override
        public String toString() {
            return address + " SNI " + serverNames + " paths " + paths + " handshake failures " + handshakeFailures;
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket s : open) {
                s.close();
            }
            acceptor.join(2000);
        }
    }
}
