package chat.projector.sink;

import chat.projector.projection.RowChange;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Loads a group of {@code MESSAGE_INSERT} changes with ONE {@code COPY messages FROM STDIN} (binary
 * format) instead of a batch of {@code INSERT ... ON CONFLICT (team_id, message_id) DO NOTHING}:
 * the bulk path of replays ({@link JdbcShardSink#forReplay}).
 *
 * <p>Why the rows are identical: a COPY that succeeds inserted every row of the group, and the
 * INSERT batch would have inserted every row too, because a COPY succeeds only when no row of the
 * group conflicts with a stored row or with another row of the group (the primary key is the only
 * unique index of {@code messages}). Columns are the same values the statement binds: text as UTF-8,
 * timestamps as microseconds rounded the way pgjdbc rounds a bound {@code OffsetDateTime}; unlisted
 * columns get their defaults in both paths. Values COPY could take differently from a bound
 * parameter (a NUL character, which PostgreSQL text refuses; an instant outside years 1-9999) send
 * the group to the statements instead. When the COPY is refused for any reason other than a lost
 * connection (a duplicate message id: 23505; a value the column refuses), it is rolled back to a
 * savepoint taken just before it and the caller runs the exact statements, which then give exactly
 * the live projector's result (or its error). A message id inserted twice in one group (a retried
 * post) is copied once, the first: what {@code DO NOTHING} keeps.
 *
 * <p>Memory: one group's rows (bounded by the replay batch size), encoded once.
 */
final class MessageCopy {
    static final String COPY = "COPY messages (team_id, channel_id, message_id, author_id, text, thread_root_id,"
            + " client_message_id, created_at, log_partition, log_offset, last_offset) FROM STDIN (FORMAT binary)";
    private static final int COLUMNS = 11;
    /** Signature, flags, header extension length of the binary COPY format. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** PostgreSQL's timestamp epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    private static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final LongAdder copiedRows = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();

    long copiedRows() {
        return copiedRows.sum();
    }

    long fallbacks() {
        return fallbacks.sum();
    }

    /**
     * Copies {@code group} (all {@code MESSAGE_INSERT}) into {@code messages} in the connection's open
     * transaction. Returns false, with nothing written, when the statements must run instead.
     *
     * @throws SQLException only for a transient failure (the connection or the server went away)
     */
    boolean tryCopy(final Connection c, final List<RowChange> group) throws SQLException {
        final List<RowChange> rowsToCopy = firstPerMessage(group);
        final byte[] rows = encode(rowsToCopy);
        if (rows == null) {
            fallbacks.increment();
            return false;
        }
        final Savepoint before = c.setSavepoint();
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new ByteArrayInputStream(rows));
        } catch (SQLException e) {
            if (JdbcShardSink.isTransient(e)) {
                throw e;
            }
            c.rollback(before);
            fallbacks.increment();
            return false;
        } catch (IOException e) {
            // reading a byte array does not fail; should it, the statements decide
            c.rollback(before);
            fallbacks.increment();
            return false;
        }
        c.releaseSavepoint(before);
        copiedRows.add(rowsToCopy.size());
        return true;
    }

    /**
     * The group without the repeated inserts of a message id (a retried post): with {@code ON CONFLICT
     * DO NOTHING} the first insert of an id wins and the later ones change nothing, so only the first
     * is copied (a COPY of both would be refused and cost the whole group the statement path).
     */
    static List<RowChange> firstPerMessage(final List<RowChange> group) {
        final Set<String> seen = new HashSet<>(group.size() * 2);
        final List<RowChange> first = new ArrayList<>(group.size());
        for (RowChange change : group) {
            if (seen.add(change.rowKey())) {
                first.add(change);
            }
        }
        return first.size() == group.size() ? group : first;
    }

    /** The binary COPY data of the group, or null when a value must go through the statements. */
    static byte[] encode(final List<RowChange> group) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + group.size() * 256);
        final DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.write(HEADER);
            for (RowChange change : group) {
                if (!(change instanceof RowChange.MessageInsert m)) {
                    throw new IllegalArgumentException("not a message insert: " + change);
                }
                if (m.createdAt() != null && micros(m.createdAt()) == null) {
                    return null;
                }
                out.writeShort(COLUMNS);
                for (String text : new String[] {m.teamId(), m.channelId(), m.messageId(), m.authorId(), m.text(),
                        m.threadRootId(), m.clientMessageId()}) {
                    if (text == null) {
                        out.writeInt(-1);
                    } else {
                        if (text.indexOf('\0') >= 0) {
                            return null;
                        }
                        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                        out.writeInt(utf8.length);
                        out.write(utf8);
                    }
                }
                if (m.createdAt() == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(8);
                    out.writeLong(micros(m.createdAt()));
                }
                out.writeInt(4);
                out.writeInt(m.logPartition());
                out.writeInt(8);
                out.writeLong(m.offset());
                out.writeInt(8);
                out.writeLong(m.offset());
            }
            out.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to a byte array", e);
        }
        return bytes.toByteArray();
    }

    /**
     * A timestamptz as PostgreSQL stores it (microseconds since 2000-01-01 UTC), from the instant as
     * pgjdbc sends a bound {@code OffsetDateTime}: sub-microsecond nanos above 499 round the microsecond
     * up, the rest is cut. Null for instants outside years 1-9999 (the statements handle those).
     */
    static Long micros(final Instant instant) {
        Instant t = instant;
        if (t.getNano() % 1000 > 499) {
            t = t.plus(1, ChronoUnit.MICROS);
        }
        t = t.truncatedTo(ChronoUnit.MICROS);
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            return null;
        }
        return (t.getEpochSecond() - PG_EPOCH_SECONDS) * 1_000_000L + t.getNano() / 1000;
    }
}
