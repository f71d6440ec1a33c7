package chat.ctl;

import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMigrations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Connection pools of the databases a replay writes to (only the shards involved), migrated on open. */
final class ScratchPools implements AutoCloseable {
    private final Map<Integer, ShardDataSources> pools = new HashMap<>();

    ScratchPools(final Platform p, final List<String> urls, final List<Integer> shards, final int poolSize) {
        this(p, urls, shards, poolSize, false);
    }

    /**
     * @param deferIndexes in a database migrated from scratch now (empty), drop the {@link DeferredIndexes}
     *                     until {@link #restoreIndexes()} builds them once
     */
    ScratchPools(final Platform p, final List<String> urls, final List<Integer> shards, final int poolSize,
                 final boolean deferIndexes) {
        try {
            for (int s : shards) {
                final ShardDataSources ds = ShardDataSources.open(List.of(forReplay(urls.get(s))), p.user(), p.password(),
                        poolSize, "chatctl");
                pools.put(s, ds);
                final boolean fresh = ShardMigrations.apply(ds.shard(0)) == ShardMigrations.known().size();
                if (deferIndexes && fresh) {
                    try (Connection c = ds.shard(0).getConnection()) {
                        DeferredIndexes.defer(c);
                    }
                }
            }
        } catch (SQLException e) {
            close();
            throw new CtlException("cannot migrate a replay database: " + e.getMessage(), e);
        }
    }

    /** Builds the indexes deferred in any of these databases (by this run or a killed earlier one); returns how many. */
    int restoreIndexes() {
        int built = 0;
        for (Map.Entry<Integer, ShardDataSources> e : pools.entrySet()) {
            try (Connection c = e.getValue().shard(0).getConnection()) {
                built += DeferredIndexes.restore(c);
            } catch (SQLException ex) {
                throw new CtlException("cannot build the deferred indexes of " + e.getValue().url(0) + ": " + ex.getMessage(), ex);
            }
        }
        return built;
    }

    /**
     * The replay's JDBC URL. pgjdbc's {@code reWriteBatchedInserts} is NOT used (and is turned off if
     * the URL asks for it): it merges a JDBC batch of upserts into one multi-row
     * {@code INSERT ... ON CONFLICT DO UPDATE}, which PostgreSQL refuses (SQLState 21000) as soon as
     * one replay batch changes the same row twice (join then role change, leave and rejoin, two read
     * markers) — found by DomainReplayIT. Statements stay batched (one round trip per batch).
     */
    static String forReplay(final String url) {
        return url.replaceAll("([?&])reWriteBatchedInserts=true", "$1reWriteBatchedInserts=false");
    }

    /** The pool of shard {@code shard}; only the shards given at construction exist. */
    DataSource shard(final int shard) {
        final ShardDataSources ds = pools.get(shard);
        if (ds == null) {
            throw new IllegalStateException("shard " + shard + " is not part of this replay");
        }
        return ds.shard(0);
    }

    @Override
    public void close() {
        pools.values().forEach(ShardDataSources::close);
    }
}
