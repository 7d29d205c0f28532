package dev.sturdy.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;

/**
 * The TLS identity of the demo's loopback servers: a self-signed certificate for {@code 127.0.0.1}
 * and {@code localhost} ({@code demo-localhost.p12}, password {@code changeit}, the same test identity
 * the adapter's tests use). It protects nothing: never use it outside a demo. The servers present it;
 * the demo's clients trust exactly it, so hostname verification stays on.
 */
final class DemoTls {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private DemoTls() {
    }

    /** @return an SSL context whose key is the demo certificate (for servers) */
    static SSLContext server() {
        try {
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(), PASSWORD);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("demo TLS identity unusable", e);
        }
    }

    /** @return an SSL context that trusts the demo certificate and nothing else (for clients) */
    static SSLContext client() {
        try {
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load());
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("demo TLS identity unusable", e);
        }
    }

    /** @return a TLS strategy for HttpClient's connection pool that trusts the demo certificate */
    static TlsSocketStrategy clientStrategy() {
        return ClientTlsStrategyBuilder.create().setSslContext(client()).buildClassic();
    }

    private static KeyStore load() throws GeneralSecurityException {
        try (InputStream in = DemoTls.class.getResourceAsStream("demo-localhost.p12")) {
            if (in == null) {
                throw new IllegalStateException("demo-localhost.p12 missing from the class path");
            }
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
