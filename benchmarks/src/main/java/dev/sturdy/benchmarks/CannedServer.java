package dev.sturdy.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The loopback server of {@link LoopbackGetBenchmark}, run in its own JVM so that it does not share
 * the benchmark JVM's JIT, GC and safepoints: a keep-alive HTTP/1.1 server answering every request
 * with the same small 200. Prints {@code PORT <n>} on its first line of standard output and exits
 * when its standard input closes (the benchmark's JVM ended) or when it is destroyed.
 */
public final class CannedServer {

    /** The response to every request: 200, two-byte body. */
    public static final byte[] RESPONSE = RawHttpServer.response(200, "OK", "", "ok");
    /** The request the socket floor sends. */
    public static final byte[] FLOOR_REQUEST =
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private CannedServer() {
    }

    /**
     * @param args none
     */
    public static void main(String[] args) throws IOException {
        final RawHttpServer server = new RawHttpServer("canned", n -> RESPONSE);
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to go away
        }
        server.close();
        System.exit(0);
    }

    /**
     * Starts a canned server in a new JVM with the same java and class path as this one.
     *
     * @return the process, whose {@code PORT} line has been read; its port is in {@link Handle#port}
     */
    public static Handle start() throws IOException {
        final String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
        final ProcessBuilder pb = new ProcessBuilder(java, "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), CannedServer.class.getName());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        final Process process = pb.start();
        final java.io.BufferedReader reader = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        final String line = reader.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IOException("canned server did not start: " + line);
        }
        return new Handle(process, Integer.parseInt(line.substring(5).trim()));
    }

    /** A running canned server process. */
    public static final class Handle implements AutoCloseable {
        /** The server's process. */
        public final Process process;
        /** Its port on 127.0.0.1. */
        public final int port;

        Handle(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        /** Stops the process and waits for it. */
        @Override
        public void close() throws IOException {
            process.getOutputStream().close();
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
