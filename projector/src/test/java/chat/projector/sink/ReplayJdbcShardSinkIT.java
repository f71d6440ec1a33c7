package chat.projector.sink;

import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay writer ({@link JdbcShardSink#forReplay}: message inserts by COPY) keeps the whole sink
 * contract against PostgreSQL, and writes exactly the rows of the statement path, also where the
 * COPY is refused (a message id already stored, or twice in one batch) and for values COPY escapes.
 */
class ReplayJdbcShardSinkIT extends ShardSinkContract {

    @BeforeEach
    void emptyShards() {
        PostgresHolder.truncateAll();
    }

    @Override
    ShardSink sink() {
        return JdbcShardSink.forReplay(MAP, PostgresHolder::shard);
    }

    @Override
    ReadModel snapshot(final int shard) {
        return JdbcReadModel.read(PostgresHolder.shard(shard));
    }

    @Override
    void forgetCheckpoint(final int partition) {
        try (Connection c = PostgresHolder.shard(MAP.shardOf(partition)).getConnection();
             Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM projection_checkpoint WHERE partition = " + partition);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of shard 1 after writing {@code batches} with {@code sink} into emptied shards. */
    private static ReadModel rowsAfter(final ShardSink sink, final List<ProjectionBatch> batches) {
        PostgresHolder.truncateAll();
        batches.forEach(sink::write);
        return JdbcReadModel.read(PostgresHolder.shard(1));
    }

    private static RowChange.MessageInsert post(final String id, final String text, final String root, final Instant at,
                                                final long offset) {
        return new RowChange.MessageInsert("t1", "c1", id, "u1", text, root, null, at, 1, offset);
    }

    @Test
    void givenTrickyTextsAndSubMicrosecondTimes_whenReplayed_thenRowsEqualTheStatementPath() {
        // Given: values a COPY could get wrong: control characters, backslashes, unicode, empty and NULL text, sub-microsecond times
        final List<RowChange> changes = new ArrayList<>();
        final String[] texts = {"tab\there", "line\nbreak", "cr\rlf", "back\\slash \\N \\.", "ünïcødé 😀", "", null};
        for (int i = 0; i < texts.length; i++) {
            changes.add(post("m" + i, texts[i], i > 0 ? "m0" : null, Instant.parse("2026-11-22T07:00:00Z").plusNanos(123_456_499L + 1001L * i), i));
        }
        changes.add(new RowChange.ThreadRecount("t1", "m0", texts.length - 1));
        final List<ProjectionBatch> batches = List.of(new ProjectionBatch(1, 0, texts.length, changes));

        // When
        final ReadModel statements = rowsAfter(new JdbcShardSink(MAP, PostgresHolder::shard), batches);
        final ReadModel copied = rowsAfter(sink(), batches);

        // Then
        assertThat(copied.messages()).hasSize(texts.length);
        assertThat(copied).isEqualTo(statements);
        assertThat(copied.messages().get(0).replyCount()).isEqualTo(texts.length - 1);
        assertThat(copied.messages().stream().map(ReadModel.Message::text).toList()).containsExactlyInAnyOrder(texts);
    }

    @Test
    void givenAMessageIdTwiceInOneBatchAndOneAlreadyStored_whenReplayed_thenTheFirstWinsAsWithTheStatements() {
        // Given: m1 stored by an earlier batch; the next batch re-posts m1 and posts m2 twice (retried posts)
        final Instant t = Instant.parse("2026-11-22T07:00:00Z");
        final List<ProjectionBatch> batches = List.of(
                new ProjectionBatch(1, 0, 1, List.of(post("m1", "first", null, t, 0))),
                new ProjectionBatch(1, 1, 5, List.of(post("m1", "again", null, t, 1), post("m2", "one", null, t, 2),
                        post("m2", "two", null, t, 3), post("m3", "three", null, t, 4))));

        // When
        final ReadModel statements = rowsAfter(new JdbcShardSink(MAP, PostgresHolder::shard), batches);
        final JdbcShardSink replay = JdbcShardSink.forReplay(MAP, PostgresHolder::shard);
        final ReadModel copied = rowsAfter(replay, batches);

        // Then: the COPY was refused (rolled back to its savepoint) and the statements decided, in the same transaction
        assertThat(copied).isEqualTo(statements);
        assertThat(copied.messages()).extracting(ReadModel.Message::text).containsExactly("first", "one", "three");
        assertThat(copied.checkpoints()).containsEntry(1, 5L);
        assertThat(replay.copiedMessages()).as("the first batch, alone, was copied").isEqualTo(1);
        assertThat(replay.copyFallbacks()).as("the second batch fell back: m1 is stored").isEqualTo(1);
    }

    @Test
    void givenAMessageIdTwiceInOneBatchOnly_whenReplayed_thenCopiedOnceAndTheFirstWins() {
        final Instant t = Instant.parse("2026-11-22T07:00:00Z");
        final List<ProjectionBatch> batches = List.of(new ProjectionBatch(1, 0, 3, List.of(post("m1", "first", null, t, 0),
                post("m2", "two", null, t, 1), post("m1", "retried", null, t, 2))));

        final ReadModel statements = rowsAfter(new JdbcShardSink(MAP, PostgresHolder::shard), batches);
        final JdbcShardSink replay = JdbcShardSink.forReplay(MAP, PostgresHolder::shard);
        final ReadModel copied = rowsAfter(replay, batches);

        assertThat(copied).isEqualTo(statements);
        assertThat(copied.messages()).extracting(ReadModel.Message::text).containsExactly("first", "two");
        assertThat(replay.copiedMessages()).isEqualTo(2);
        assertThat(replay.copyFallbacks()).isZero();
    }

    @Test
    void givenAMessageTheStatementsRefuse_whenReplayed_thenTheSameErrorAndNothingWritten() {
        // Given: a NUL character, which PostgreSQL text refuses (the COPY is not even tried)
        final ProjectionBatch batch = new ProjectionBatch(1, 0, 2, List.of(post("m1", "fine", null, Instant.parse("2026-11-22T07:00:00Z"), 0),
                post("m2", "nul\0here", null, Instant.parse("2026-11-22T07:00:00Z"), 1)));
        final JdbcShardSink replay = JdbcShardSink.forReplay(MAP, PostgresHolder::shard);

        // When / Then: the statements' own error, and the batch left nothing behind
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay.write(batch)).isInstanceOf(PermanentShardException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JdbcShardSink(MAP, PostgresHolder::shard).write(batch))
                .isInstanceOf(PermanentShardException.class);
        assertThat(JdbcReadModel.read(PostgresHolder.shard(1)).messages()).isEmpty();
        assertThat(replay.checkpoint(1)).isZero();
        assertThat(replay.copyFallbacks()).isEqualTo(1);
    }

    @Test
    void givenALargeGroupOfPosts_whenReplayed_thenLoadedByCopyWithoutFallback() {
        // Given: 2,000 fresh posts in one batch
        final List<RowChange> changes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            changes.add(post("m" + i, "text " + i, null, Instant.parse("2026-11-22T07:00:00Z").plusMillis(i), i));
        }
        final JdbcShardSink sink = JdbcShardSink.forReplay(MAP, PostgresHolder::shard);

        // When
        sink.write(new ProjectionBatch(1, 0, 2000, changes));

        // Then
        assertThat(JdbcReadModel.read(PostgresHolder.shard(1)).messages()).hasSize(2000);
        assertThat(sink.copiedMessages()).isEqualTo(2000);
        assertThat(sink.copyFallbacks()).isZero();
    }

    @Test
    void givenTheLiveSink_whenPostsAreWritten_thenNoCopyIsUsed() {
        final JdbcShardSink live = new JdbcShardSink(MAP, PostgresHolder::shard);

        live.write(new ProjectionBatch(1, 0, 1, List.of(post("m1", "x", null, Instant.parse("2026-11-22T07:00:00Z"), 0))));

        assertThat(JdbcReadModel.read(PostgresHolder.shard(1)).messages()).hasSize(1);
        assertThat(live.copiedMessages()).isZero();
    }
}
