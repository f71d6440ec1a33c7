package chat.common.shard;

import javax.sql.DataSource;

/**
 * Where the read model of a partition lives right now: the shard number and its data source,
 * resolved together from ONE routing state, so a caller never mixes an old shard map with new
 * databases while a live reshard switches the map ({@link ShardDataSources#switchMap}).
 *
 * <p>Resolve per use (per transaction or query), never cache the answer: after a switch the same
 * partition may live in another database.
 *
 * <pre>{@code
 * ShardRouter.Route r = shards.route(partition);
 * try (Connection c = r.dataSource().getConnection()) { ... }
 * }</pre>
 */
@FunctionalInterface
public interface ShardRouter {
    /** A partition's shard under the map in force, and the data source of that shard. */
    record Route(int shard, DataSource dataSource) {
    }

    /** The route of {@code partition} now. */
    Route route(int partition);

    /** Shorthand for {@code route(partition).dataSource()}. */
    default DataSource forPartition(final int partition) {
        return route(partition).dataSource();
    }
}
