package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Checks that each field of a policy takes part in {@code equals}, {@code hashCode} and {@code toString}. */
final class PolicyEquality {

    private PolicyEquality() {
    }

    static <P, B> void assertEveryChangeMatters(P base, Function<P, B> toBuilder, Function<B, P> build,
            List<UnaryOperator<B>> changes) {
        P rebuilt = build.apply(toBuilder.apply(base));
        assertThat(rebuilt).isEqualTo(base).hasSameHashCodeAs(base).hasToString(base.toString());
        for (int i = 0; i < changes.size(); i++) {
            P changed = build.apply(changes.get(i).apply(toBuilder.apply(base)));
            P changedAgain = build.apply(changes.get(i).apply(toBuilder.apply(base)));
            assertThat(changed).as("change #%d", i).isNotEqualTo(base);
            assertThat(changed.toString()).as("toString after change #%d", i).isNotEqualTo(base.toString());
            assertThat(changed).as("change #%d applied twice", i).isEqualTo(changedAgain).hasSameHashCodeAs(changedAgain);
        }
    }
}
