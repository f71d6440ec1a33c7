package chat.projector.sink;

import chat.projector.projection.RowChange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageCopyTest {
    private static final Instant T = Instant.parse("2026-11-22T07:00:00Z");

    @Test
    void givenSubMicrosecondNanos_whenConverted_thenRoundedLikePgjdbcAndCountedFrom2000() {
        assertThat(MessageCopy.micros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(MessageCopy.micros(Instant.parse("2000-01-01T00:00:01.000001499Z"))).isEqualTo(1_000_001L);
        assertThat(MessageCopy.micros(Instant.parse("2000-01-01T00:00:01.000001500Z"))).isEqualTo(1_000_002L);
        assertThat(MessageCopy.micros(Instant.parse("1999-12-31T23:59:59.999999999Z"))).isZero();
        assertThat(MessageCopy.micros(Instant.parse("1999-12-31T23:59:59Z"))).isEqualTo(-1_000_000L);
        assertThat(MessageCopy.micros(Instant.parse("+10000-01-01T00:00:00Z"))).isNull();
    }

    @Test
    void givenMessageInserts_whenEncoded_thenBinaryCopyTuplesInColumnOrder() throws IOException {
        final List<RowChange> group = List.of(
                new RowChange.MessageInsert("t1", "c1", "m1", "u1", "hi\tthere é", null, "cm-1", T, 3, 17),
                new RowChange.MessageInsert("t1", "c1", "m2", "u2", null, "m1", null, T.plusMillis(1500), 3, 18));

        final DataInputStream in = new DataInputStream(new ByteArrayInputStream(MessageCopy.encode(group)));

        final byte[] signature = new byte[11];
        in.readFully(signature);
        assertThat(signature).isEqualTo(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
        assertThat(in.readInt()).as("flags").isZero();
        assertThat(in.readInt()).as("header extension").isZero();
        final long t = (T.getEpochSecond() - 946_684_800L) * 1_000_000L;
        assertThat(tuple(in)).containsExactly("t1", "c1", "m1", "u1", "hi\tthere é", null, "cm-1", t, 3, 17L, 17L);
        assertThat(tuple(in)).containsExactly("t1", "c1", "m2", "u2", null, "m1", null, t + 1_500_000L, 3, 18L, 18L);
        assertThat(in.readShort()).as("trailer").isEqualTo((short) -1);
        assertThat(in.available()).isZero();
    }

    private static List<Object> tuple(final DataInputStream in) throws IOException {
        assertThat(in.readShort()).isEqualTo((short) 11);
        final List<Object> values = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            final int length = in.readInt();
            if (length < 0) {
                values.add(null);
            } else {
                final byte[] utf8 = new byte[length];
                in.readFully(utf8);
                values.add(new String(utf8, StandardCharsets.UTF_8));
            }
        }
        assertThat(in.readInt()).isEqualTo(8);
        values.add(in.readLong());
        assertThat(in.readInt()).isEqualTo(4);
        values.add(in.readInt());
        assertThat(in.readInt()).isEqualTo(8);
        values.add(in.readLong());
        assertThat(in.readInt()).isEqualTo(8);
        values.add(in.readLong());
        return values;
    }

    @Test
    void givenANulCharacterOrAFarInstant_whenEncoded_thenTheGroupGoesThroughTheStatements() {
        assertThat(MessageCopy.encode(List.of(new RowChange.MessageInsert("t", "c", "m", "u", "a\0b", null, null, T, 0, 1)))).isNull();
        assertThat(MessageCopy.encode(List.of(new RowChange.MessageInsert("t", "c", "m", "u", "x", null, null,
                Instant.parse("+10000-01-01T00:00:00Z"), 0, 1)))).isNull();
    }

    @Test
    void givenARetriedPostInTheGroup_whenDeduplicated_thenTheFirstOfEachIdStaysInOrder() {
        final RowChange a = new RowChange.MessageInsert("t", "c", "m1", "u", "a", null, null, T, 0, 1);
        final RowChange b = new RowChange.MessageInsert("t", "c", "m2", "u", "b", null, null, T, 0, 2);
        final RowChange again = new RowChange.MessageInsert("t", "c", "m1", "u", "a2", null, null, T, 0, 3);
        final RowChange otherTeam = new RowChange.MessageInsert("t2", "c", "m1", "u", "x", null, null, T, 0, 4);

        assertThat(MessageCopy.firstPerMessage(List.of(a, b, again, otherTeam))).containsExactly(a, b, otherTeam);
        final List<RowChange> unique = List.of(a, b);
        assertThat(MessageCopy.firstPerMessage(unique)).isSameAs(unique);
    }

    @Test
    void givenAnotherKind_whenEncoded_thenRefused() {
        assertThatThrownBy(() -> MessageCopy.encode(List.of(new RowChange.ThreadRecount("t", "m", 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
