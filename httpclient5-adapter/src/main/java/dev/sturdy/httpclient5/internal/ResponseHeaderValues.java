package dev.sturdy.httpclient5.internal;

import java.util.Arrays;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;

/**
 * The values of one response header as the retry decision sees them
 * ({@link dev.sturdy.internal.retry.AttemptView#headerValues}), for the classic and the async client
 * alike (a {@code ClassicHttpResponse} is an {@link HttpResponse}).
 */
final class ResponseHeaderValues {

    private ResponseHeaderValues() {
    }

    /**
     * @param response the response, or null when the attempt produced none
     * @param name     the header name (matched case-insensitively)
     * @return every value of the header in order; an empty list when absent, never null
     */
    static List<String> of(HttpResponse response, String name) {
        if (response == null) {
            return List.of();
        }
        final Header[] headers = response.getHeaders(name);
        if (headers.length == 0) {
            return List.of();
        }
        final String[] values = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            values[i] = headers[i].getValue();
        }
        return Arrays.asList(values);
    }
}
