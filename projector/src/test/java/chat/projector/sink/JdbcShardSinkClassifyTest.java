package chat.projector.sink;

import chat.common.shard.ShardRedirects;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which database failures retry the transaction, and which mean the shard cannot be used for now. */
class JdbcShardSinkClassifyTest {

    @Test
    void givenLostOrRefusedConnections_thenTransientAndUnusable() {
        for (SQLException e : new SQLException[]{new SQLException("refused", "08001"), new SQLException("terminated", "57P01"),
                new SQLTransientConnectionException("pool timeout"),
                new SQLException("wrapped", "XX000", new SQLTransientConnectionException("pool timeout"))}) {
            assertThat(JdbcShardSink.isUnusable(e)).as(e.toString()).isTrue();
        }
        assertThat(JdbcShardSink.isTransient(new SQLException("refused", "08001"))).isTrue();
    }

    @Test
    void givenFence_thenUnusable_butAPlainSerializationConflictIsRetried() {
        final SQLException fence = new SQLException("ERROR: " + ShardRedirects.FENCE_MESSAGE + " (cut-over by chatctl)",
                ShardRedirects.FENCE_SQLSTATE);
        final SQLException conflict = new SQLException("could not serialize access", "40001");

        assertThat(JdbcShardSink.isTransient(fence)).isTrue();
        assertThat(JdbcShardSink.isUnusable(fence)).isTrue();
        assertThat(JdbcShardSink.isTransient(conflict)).isTrue();
        assertThat(JdbcShardSink.isUnusable(conflict)).isFalse();
        assertThat(JdbcShardSink.isUnusable(new SQLException("deadlock", "40P01"))).isFalse();
        assertThat(JdbcShardSink.isUnusable(new SQLException("disk full", "53100"))).isFalse();
    }
}
