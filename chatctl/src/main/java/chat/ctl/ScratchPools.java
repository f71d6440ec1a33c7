package chat.ctl;

import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMigrations;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Connection pools of the databases a replay writes to (only the shards involved), migrated on open. */
final class ScratchPools implements AutoCloseable {
    private final Map<Integer, ShardDataSources> pools = new HashMap<>();

    ScratchPools(final Platform p, final List<String> urls, final List<Integer> shards, final int poolSize) {
        try {
            for (int s : shards) {
                final ShardDataSources ds = ShardDataSources.open(List.of(forReplay(urls.get(s))), p.user(), p.password(),
                        poolSize, "chatctl");
                pools.put(s, ds);
                ShardMigrations.apply(ds.shard(0));
            }
        } catch (SQLException e) {
            close();
            throw new CtlException("cannot migrate a replay database: " + e.getMessage(), e);
        }
    }

    /**
     * The replay's writes go through pgjdbc with {@code reWriteBatchedInserts}: a JDBC batch of N
     * {@code INSERT ... VALUES (...) ON CONFLICT ...} is sent as multi-row INSERTs (up to 128 rows each)
     * instead of N statements. Same SQL semantics (rows are inserted in batch order, ON CONFLICT per row);
     * only the number of statements the server parses and executes changes (BENCHMARKS.md, replay).
     */
    static String forReplay(final String url) {
        if (url.contains("reWriteBatchedInserts")) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
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
