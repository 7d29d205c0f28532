package dev.sturdy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.assertj.core.api.Assertions;

class HeaderMatchTest {

    private static final int LIMIT = HeaderMatch.MAX_EXAMINED_LENGTH;

    @Test
    void exactMatchesTheWholeValueCaseSensitively() {
        HeaderMatch match = HeaderMatch.exact("x-ms-retriable", "true");

        assertThat(match.matches("true")).isTrue();
        assertThat(match.matches("True")).isFalse();
        assertThat(match.matches("true ")).isFalse();
        assertThat(match.matches("tru")).isFalse();
        assertThat(match.matches("")).isFalse();
        assertThat(HeaderMatch.exact("x-a", "").matches("")).isTrue();
    }

    @Test
    void prefixSuffixAndContainsLookAtTheirPartOfTheValue() {
        assertThat(HeaderMatch.prefix("x-a", "retry").matches("retry-later")).isTrue();
        assertThat(HeaderMatch.prefix("x-a", "retry").matches("no-retry")).isFalse();
        assertThat(HeaderMatch.prefix("x-a", "retry").matches("ret")).isFalse();
        assertThat(HeaderMatch.suffix("x-a", "later").matches("retry-later")).isTrue();
        assertThat(HeaderMatch.suffix("x-a", "later").matches("later-retry")).isFalse();
        assertThat(HeaderMatch.suffix("x-a", "later").matches("ate")).isFalse();
        assertThat(HeaderMatch.contains("x-a", "try-la").matches("retry-later")).isTrue();
        assertThat(HeaderMatch.contains("x-a", "TRY").matches("retry-later")).isFalse();
    }

    @Test
    void regexMustMatchTheWholeValue() {
        HeaderMatch match = HeaderMatch.regex("x-a", "throttled|busy");

        assertThat(match.matches("busy")).isTrue();
        assertThat(match.matches("throttled")).isTrue();
        assertThat(match.matches("busy now")).isFalse();
        assertThat(match.matches("not busy")).isFalse();
    }

    @Test
    void presentMatchesAnyValueEvenEmpty() {
        HeaderMatch match = HeaderMatch.present("Retry-After");

        assertThat(match.matches("")).isTrue();
        assertThat(match.matches("anything")).isTrue();
        assertThat(match.value()).isEmpty();
    }

    @Test
    void anAbsentHeaderNeverMatches() {
        assertThat(HeaderMatch.present("x-a").matches(null)).isFalse();
        assertThat(HeaderMatch.exact("x-a", "").matches(null)).isFalse();
        assertThat(HeaderMatch.regex("x-a", ".*").matches(null)).isFalse();
    }

    @Test
    void headerNamesAreCaseInsensitiveAndStoredLowerCase() {
        HeaderMatch match = HeaderMatch.exact("X-MS-Retriable", "true");

        assertThat(match.name()).isEqualTo("x-ms-retriable");
        assertThat(match).isEqualTo(HeaderMatch.exact("x-ms-retriable", "true"));
        assertThat(match.kind()).isEqualTo(HeaderMatch.Kind.EXACT);
        assertThat(match.value()).isEqualTo("true");
    }

    @Test
    void examinesOnlyTheFirst8KiBOfAValue() {
        String head = "a".repeat(LIMIT - 3) + "xyz";
        String hostile = head + "TAIL" + "b".repeat(100_000);

        assertThat(HeaderMatch.contains("x-a", "xyz").matches(hostile)).isTrue();
        assertThat(HeaderMatch.contains("x-a", "TAIL").matches(hostile)).isFalse();
        assertThat(HeaderMatch.contains("x-a", "zT").matches(hostile)).isFalse();
        assertThat(HeaderMatch.suffix("x-a", "xyz").matches(hostile)).isTrue();
        assertThat(HeaderMatch.suffix("x-a", "b").matches(hostile)).isFalse();
        assertThat(HeaderMatch.prefix("x-a", "aaa").matches(hostile)).isTrue();
        assertThat(HeaderMatch.exact("x-a", head).matches(hostile)).isTrue();
        assertThat(HeaderMatch.exact("x-a", head).matches(head)).isTrue();
        assertThat(HeaderMatch.regex("x-a", "a*xyz").matches(hostile)).isTrue();
        assertThat(HeaderMatch.regex("x-a", "a*xyzTAIL.*").matches(hostile)).isFalse();
    }

    @Test
    void containsWithinTheLimitFindsAMatchEndingExactlyAtIt() {
        String value = "c".repeat(LIMIT - 2) + "ok" + "junk";

        assertThat(HeaderMatch.contains("x-a", "ok").matches(value)).isTrue();
        assertThat(HeaderMatch.contains("x-a", "okj").matches(value)).isFalse();
    }

    @Test
    @Timeout(10)
    void aHugeHostileValueCostsBoundedWork() {
        String hostile = "a".repeat(4 * 1024 * 1024);
        HeaderMatch contains = HeaderMatch.contains("x-a", "a".repeat(100) + "b");
        HeaderMatch regex = HeaderMatch.regex("x-a", "a*b");

        for (int i = 0; i < 50; i++) {
            assertThat(contains.matches(hostile)).isFalse();
            assertThat(regex.matches(hostile)).isFalse();
        }
    }

    @Test
    void anInvalidRegexIsRefusedWithTheSyntaxErrorAsCause() {
        Assertions.assertThatThrownBy(() -> HeaderMatch.regex("x-a", "*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("regex: \"*\" (expected: a valid regular expression for header x-a: "
                        + "Dangling meta character '*' near index 0)")
                .hasCauseInstanceOf(PatternSyntaxException.class);
    }

    @Test
    void equalityIsByNameKindAndValueWithRegexComparedByPattern() {
        assertThat(HeaderMatch.regex("x-a", "a+")).isEqualTo(HeaderMatch.regex("X-A", "a+"))
                .hasSameHashCodeAs(HeaderMatch.regex("X-A", "a+"));
        assertThat(HeaderMatch.regex("x-a", "a+")).isNotEqualTo(HeaderMatch.regex("x-a", "a++"));
        assertThat(HeaderMatch.exact("x-a", "v")).isNotEqualTo(HeaderMatch.prefix("x-a", "v"));
        assertThat(HeaderMatch.exact("x-a", "v")).isNotEqualTo(HeaderMatch.exact("x-b", "v"));
        assertThat(HeaderMatch.exact("x-a", "v")).isNotEqualTo(HeaderMatch.exact("x-a", "V"));
    }

    @Test
    void toStringNamesHeaderKindAndQuotedValue() {
        assertThat(HeaderMatch.exact("X-MS-Retriable", "true")).hasToString("x-ms-retriable exact \"true\"");
        assertThat(HeaderMatch.prefix("x-a", "p")).hasToString("x-a prefix \"p\"");
        assertThat(HeaderMatch.suffix("x-a", "s")).hasToString("x-a suffix \"s\"");
        assertThat(HeaderMatch.contains("x-a", "c")).hasToString("x-a contains \"c\"");
        assertThat(HeaderMatch.regex("x-a", "r.*")).hasToString("x-a regex \"r.*\"");
        assertThat(HeaderMatch.present("Retry-After")).hasToString("retry-after present");
    }

    @Test
    void acceptsEveryTokenCharacterInNames() {
        assertThat(HeaderMatch.present("!#$%&'*+-.^_`|~09azAZ").name()).isEqualTo("!#$%&'*+-.^_`|~09azaz");
    }
}
