package dev.sturdy.httpclient5.faulttable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the caller must get from a fault case: a status code returned, or an exception thrown. */
public sealed interface ExpectedOutcome {

    /** The response with this status is returned (not thrown), its body read to the end. */
    record Status(int code) implements ExpectedOutcome {
        @Override
        public String toString() {
            return "status " + code;
        }
    }

    /**
     * This exact exception class is thrown, with this exact message.
     *
     * @param type            the exception's class, exactly (not a subclass)
     * @param messageTemplate the message; {@code {port}}, {@code {method}} and {@code {responseTimeout}}
     *                        are replaced by the endpoint's port, the request method and the policy's
     *                        overall deadline ({@code Duration.toString()})
     * @param closeSuppressed the same failure again, thrown when the response is closed after the
     *                        handler failed and attached as suppressed by HttpClient's own
     *                        try-with-resources (1 for a truncated body, as with a plain HttpClient), else 0
     * @param orElse          the same fault as another transport may report it, depending on timing (e.g.
     *                        a reset met while writing rather than reading); each attempt's failure may be
     *                        any of them
     */
    record Failure(Class<? extends Throwable> type, String messageTemplate, int closeSuppressed, List<Failure> orElse)
            implements ExpectedOutcome {

        public Failure {
            orElse = List.copyOf(orElse);
        }

        public Failure(Class<? extends Throwable> type, String messageTemplate, int closeSuppressed) {
            this(type, messageTemplate, closeSuppressed, List.of());
        }

        /** This failure, or the same fault reported as {@code type} with {@code messageTemplate}. */
        public Failure orElse(Class<? extends Throwable> otherType, String otherMessageTemplate) {
            final List<Failure> all = new ArrayList<>(orElse);
            all.add(new Failure(otherType, otherMessageTemplate, closeSuppressed));
            return new Failure(type, messageTemplate, closeSuppressed, all);
        }

        /** @return this failure and its alternatives */
        public List<Failure> accepted() {
            final List<Failure> all = new ArrayList<>();
            all.add(new Failure(type, messageTemplate, closeSuppressed));
            all.addAll(orElse);
            return all;
        }

        /** The message expected for a call to {@code port}. */
        public String message(int port, String method, Duration responseTimeout) {
            return messageTemplate.replace("{port}", Integer.toString(port))
                    .replace("{method}", method)
                    .replace("{responseTimeout}", responseTimeout.toString());
        }

        @Override
        public String toString() {
            return "throws " + type.getSimpleName();
        }
    }
}
