package dev.sturdy.httpclient5.faulttable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.ssl.SSLContextBuilder;

/**
 * The test TLS identity ({@code src/test/resources/tls/localhost.p12}, see the README beside it:
 * CN=localhost, SAN ip:127.0.0.1) as server key material and as client trust material.
 * Stateless and thread-safe; the SSL contexts are built once.
 */
public final class TestTls {

    /** The class-path location of the keystore. */
    public static final String KEYSTORE_RESOURCE = "/tls/localhost.p12";

    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final KeyStore KEY_STORE = load();
    private static final SSLContext SERVER = build(true, false);
    private static final SSLContext TRUSTING_CLIENT = build(false, true);
    private static final SSLContext DEFAULT_TRUST_CLIENT = build(false, false);

    private TestTls() {
    }

    /** The server side: the test certificate and its key. */
    public static SSLContext serverContext() {
        return SERVER;
    }

    /** A client that trusts the test certificate (and nothing else). */
    public static SSLContext trustingClientContext() {
        return TRUSTING_CLIENT;
    }

    /** A client with the JDK's default trust store: it does not trust the self-signed test certificate. */
    public static SSLContext defaultTrustClientContext() {
        return DEFAULT_TRUST_CLIENT;
    }

    /** HttpClient 5 classic TLS strategy trusting the test certificate (default hostname verification). */
    public static TlsSocketStrategy trustingClassicStrategy() {
        return ClientTlsStrategyBuilder.create().setSslContext(TRUSTING_CLIENT).buildClassic();
    }

    /** HttpClient 5 classic TLS strategy with the JDK's default trust store. */
    public static TlsSocketStrategy defaultTrustClassicStrategy() {
        return ClientTlsStrategyBuilder.create().setSslContext(DEFAULT_TRUST_CLIENT).buildClassic();
    }

    private static KeyStore load() {
        try (InputStream in = TestTls.class.getResourceAsStream(KEYSTORE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(KEYSTORE_RESOURCE + " is not on the test class path");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + KEYSTORE_RESOURCE, e);
        }
    }

    private static SSLContext build(boolean keyMaterial, boolean trustMaterial) {
        try {
            SSLContextBuilder builder = SSLContextBuilder.create();
            if (keyMaterial) {
                builder.loadKeyMaterial(KEY_STORE, PASSWORD);
            }
            if (trustMaterial) {
                builder.loadTrustMaterial(KEY_STORE, null);
            }
            return builder.build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an SSLContext from " + KEYSTORE_RESOURCE, e);
        }
    }
}
