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

    @Test
    void givenUnreachableShard_whenWritten_thenMarkedAtOnceWithoutRetriesAndLaterCallsFailWithoutTouchingIt() {
        final Probeable db = new Probeable();
        final ShardAvailability availability = new ShardAvailability(p -> new chat.common.shard.ShardRouter.Route(1, db), 0);
        final AtomicInteger calls = new AtomicInteger();
        final ShardSink unreachable = new ShardSink() {
            @Override
            public long checkpoint(final int partition) {
                calls.incrementAndGet();
                throw new TransientShardException("connection refused", 1, partition, null, true);
            }

            @Override
            public void write(final ProjectionBatch b) {
                calls.incrementAndGet();
                throw new TransientShardException("connection refused", 1, b.partition(), null, true);
            }
        };
        final RetryingShardSink sink = new RetryingShardSink(unreachable, 5, n -> Duration.ofMillis(100), sleeps::add, availability);

        assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(TransientShardException.class).hasMessageContaining("connection refused");
        assertThat(sleeps).isEmpty();
        assertThat(sink.unavailable(1)).startsWith("shard 1 unavailable for ").endsWith("connection refused");

        assertThatThrownBy(() -> sink.checkpoint(1)).isInstanceOf(TransientShardException.class).hasMessageContaining("not tried");
        assertThat(calls).hasValue(1);

        // The probe finds the database answering again: the mark is lifted.
        db.up = true;
        assertThat(availability.probeOnce()).isEqualTo(1);
        assertThat(sink.unavailable(1)).isNull();
        assertThat(availability.unavailableShards()).isEmpty();
    }

    @Test
    void givenConflictsOutlastingTheRetries_whenWritten_thenMarkedUnavailableAfterTheRetries() {
        final ShardAvailability availability = new ShardAvailability(p -> new chat.common.shard.ShardRouter.Route(1, new Probeable()), 0);
        final RetryingShardSink sink = new RetryingShardSink(flaky(100, down()), 2, n -> Duration.ofMillis(100), sleeps::add, availability);

        assertThatThrownBy(() -> sink.write(batch)).hasMessageContaining("failed after 2 retries");
        assertThat(sleeps).hasSize(2);
        assertThat(availability.unavailableShards()).containsExactly(1);
    }

    @Test
    void givenMarkedShardNoLongerRouted_whenProbed_thenMarkDropped() {
        final Probeable old = new Probeable();
        final java.util.concurrent.atomic.AtomicReference<javax.sql.DataSource> current = new java.util.concurrent.atomic.AtomicReference<>(old);
        final ShardAvailability availability = new ShardAvailability(p -> new chat.common.shard.ShardRouter.Route(1, current.get()), 0);
        availability.markDown(1, new TransientShardException("retired", 1, 1, null, true));
        assertThat(availability.available(1)).isFalse();

        current.set(new Probeable()); // the map was switched: partition 1 lives in another database now
        assertThat(availability.available(1)).isTrue();
        assertThat(availability.probeOnce()).isEqualTo(1);
        assertThat(availability.unavailableCount()).isZero();
    }

    @Test
    void givenFencedDatabase_whenProbed_thenStaysUnavailable() {
        final Probeable fenced = new Probeable();
        fenced.up = true;
        fenced.fenced = true;
        final ShardAvailability availability = new ShardAvailability(p -> new chat.common.shard.ShardRouter.Route(1, fenced), 0);
        availability.markDown(1, new TransientShardException("retired", 1, 1, null, true));

        assertThat(availability.probeOnce()).isZero();
        assertThat(availability.available(1)).isFalse();
    }

    /** A DataSource that refuses connections until {@code up}; its connections answer the fence query. */
    private static final class Probeable implements javax.sql.DataSource {
        volatile boolean up;
        volatile boolean fenced;

        @Override
        public java.sql.Connection getConnection() throws java.sql.SQLException {
            if (!up) {
                throw new java.sql.SQLTransientConnectionException("connection refused", "08001");
            }
            final java.sql.ResultSet rs = proxy(java.sql.ResultSet.class, (m, a) -> m.equals("next") ? fenced : null);
            final java.sql.PreparedStatement ps = proxy(java.sql.PreparedStatement.class, (m, a) -> m.equals("executeQuery") ? rs : null);
            return proxy(java.sql.Connection.class, (m, a) -> m.equals("prepareStatement") ? ps : null);
        }

        @SuppressWarnings("unchecked")
        private static <T> T proxy(final Class<T> type, final java.util.function.BiFunction<String, Object[], Object> answer) {
            return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type},
                    (self, method, args) -> {
                        final Object out = answer.apply(method.getName(), args);
                        if (out != null) {
                            return out;
                        }
                        return method.getReturnType() == boolean.class ? Boolean.FALSE
                                : method.getReturnType() == int.class ? 0 : null;
                    });
        }

        @Override
        public java.sql.Connection getConnection(final String user, final String password) throws java.sql.SQLException {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(final java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(final int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(final Class<T> iface) {
            return null;
        }

        @Override
        public boolean isWrapperFor(final Class<?> iface) {
            return false;
        }
    }
}
