package dev.sturdy.httpclient5.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads HTTP/1.1 request heads and bodies (Content-Length or chunked) from a blocking stream. */
final class Http1RequestReader {

    static final int MAX_LINE_BYTES = 64 * 1024;
    static final int MAX_HEADER_LINES = 256;
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** A parsed request line and header block. */
    record Head(String method, String target, String version, List<HeaderField> headers) {

        String firstValue(String name) {
            for (HeaderField header : headers) {
                if (header.hasName(name)) {
                    return header.value();
                }
            }
            return null;
        }

        boolean expectsContinue() {
            String expect = firstValue("Expect");
            return expect != null && expect.trim().equalsIgnoreCase("100-continue");
        }

        boolean wantsClose() {
            String connection = firstValue("Connection");
            if (connection != null && connection.toLowerCase(Locale.ROOT).contains("close")) {
                return true;
            }
            return !"HTTP/1.1".equals(version)
                    && (connection == null || !connection.toLowerCase(Locale.ROOT).contains("keep-alive"));
        }
    }

    private final InputStream in;

    Http1RequestReader(InputStream in) {
        this.in = in;
    }

    /** Reads a request head; returns null on a clean end of stream before its first byte. */
    Head readHead() throws IOException {
        String requestLine = readLine(true);
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = readLine(true); // RFC 9112 2.2: ignore empty lines before the request line
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[2].startsWith("HTTP/")) {
            throw new IOException("malformed request line: " + requestLine);
        }
        List<HeaderField> headers = new ArrayList<>();
        for (String line = readLine(false); !line.isEmpty(); line = readLine(false)) {
            if (headers.size() == MAX_HEADER_LINES) {
                throw new IOException("more than " + MAX_HEADER_LINES + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            try {
                headers.add(new HeaderField(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            } catch (IllegalArgumentException e) {
                throw new IOException("malformed header line: " + line, e);
            }
        }
        return new Head(parts[0], parts[1], parts[2], headers);
    }

    /** Reads the body announced by {@code head}: chunked, Content-Length, or none. */
    byte[] readBody(Head head) throws IOException {
        String transferEncoding = head.firstValue("Transfer-Encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return readChunked();
        }
        String contentLength = head.firstValue("Content-Length");
        if (contentLength == null) {
            return new byte[0];
        }
        long length;
        try {
            length = Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length: " + contentLength, e);
        }
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new IOException("unsupported Content-Length: " + length);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("request body ended after " + body.length + " of " + length + " bytes");
        }
        return body;
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(false);
            int extension = sizeLine.indexOf(';');
            String hex = (extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + sizeLine, e);
            }
            if (size < 0 || body.size() + (long) size > MAX_BODY_BYTES) {
                throw new IOException("unsupported chunk size: " + size);
            }
            if (size == 0) {
                while (!readLine(false).isEmpty()) {
                    // trailer fields are read and dropped
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("chunk ended before " + size + " bytes");
            }
            body.write(chunk);
            if (!readLine(false).isEmpty()) {
                throw new IOException("missing CRLF after chunk data");
            }
        }
    }

    /** Reads one line without its CRLF (or bare LF); null at end of stream only if {@code eofAllowed}. */
    private String readLine(boolean eofAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (eofAllowed && line.size() == 0) {
                    return null;
                }
                throw new EOFException("stream ended inside a line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() == MAX_LINE_BYTES) {
                throw new IOException("line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
    }
}
