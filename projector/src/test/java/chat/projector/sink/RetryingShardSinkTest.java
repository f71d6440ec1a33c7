package chat.projector.sink;

import chat.common.shard.ShardMap;
import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryingShardSinkTest {
    private final InMemoryShardSink memory = new InMemoryShardSink(ShardMap.modulo(4, 2));
    private final List<Duration> sleeps = new ArrayList<>();
    private final ProjectionBatch batch = new ProjectionBatch(1, 0, 1, List.of(
            new RowChange.TeamInsert("t1", "Team", "u1", Instant.parse("2026-01-01T00:00:00Z"), 0)));

    /** Fails the first {@code failures} writes with {@code error}, then delegates. */
    private ShardSink flaky(final int failures, final RuntimeException error) {
        final AtomicInteger calls = new AtomicInteger();
        return new ShardSink() {
            @Override
            public long checkpoint(final int partition) {
                if (calls.getAndIncrement() < failures) {
                    throw error;
                }
                return memory.checkpoint(partition);
            }

            @Override
            public void write(final ProjectionBatch b) {
                if (calls.getAndIncrement() < failures) {
                    throw error;
                }
                memory.write(b);
            }
        };
    }

    private RetryingShardSink retrying(final ShardSink delegate, final int retries) {
        return new RetryingShardSink(delegate, retries, n -> Duration.ofMillis(100L << (n - 1)), sleeps::add);
    }

    private static TransientShardException down() {
        return new TransientShardException("connection refused", 1, 1, null);
    }

    @Test
    void givenShardDownTwice_whenWritten_thenRetriedWithBackoffAndWritten() {
        retrying(flaky(2, down()), 5).write(batch);

        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(memory.snapshot(1).teams()).hasSize(1);
        assertThat(memory.checkpoint(1)).isEqualTo(1);
    }

    @Test
    void givenShardDownForever_whenWritten_thenThrowsAfterMaxRetriesNamingTheBatch() {
        assertThatThrownBy(() -> retrying(flaky(100, down()), 3).write(batch))
                .isInstanceOf(TransientShardException.class)
                .hasMessageContaining("failed after 3 retries")
                .hasMessageContaining("shard=1").hasMessageContaining("partition=1")
                .hasMessageContaining("batch=p1@0..0(1 changes)");
        assertThat(sleeps).hasSize(3);
        assertThat(memory.checkpoint(1)).isZero();
    }

    @Test
    void givenPermanentFailure_whenWritten_thenNotRetried() {
        final PermanentShardException rejected = new PermanentShardException("relation does not exist", 1, 1, null);

        assertThatThrownBy(() -> retrying(flaky(1, rejected), 5).write(batch)).isSameAs(rejected);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void givenShardDownOnce_whenCheckpointRead_thenRetried() {
        assertThat(retrying(flaky(1, down()), 2).checkpoint(1)).isZero();
        assertThat(sleeps).containsExactly(Duration.ofMillis(100));
    }
}
