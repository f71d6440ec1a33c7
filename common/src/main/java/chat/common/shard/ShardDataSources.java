package chat.common.shard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection pool per shard database, indexed by shard number. Built from configuration
 * (JDBC URLs in shard order), never from code.
 *
 * <pre>{@code
 * try (ShardDataSources shards = ShardDataSources.open(urls, "chat", "secret", 8, "projector")) {
 *     DataSource s0 = shards.shard(0);
 * }
 * }</pre>
 */
public final class ShardDataSources implements AutoCloseable {
    private final List<HikariDataSource> pools;
    private final List<String> urls;

    private ShardDataSources(final List<HikariDataSource> pools, final List<String> urls) {
        this.pools = pools;
        this.urls = urls;
    }

    /**
     * Opens a pool per URL; pools connect lazily so a shard that is down does not stop the others.
     *
     * @param poolSize maximum connections per shard (>= 1)
     * @param owner    names the pools in logs and thread names, e.g. {@code projector}
     */
    public static ShardDataSources open(final List<String> jdbcUrls, final String user, final String password,
                                        final int poolSize, final String owner) {
        if (jdbcUrls.isEmpty()) {
            throw new IllegalArgumentException("no shard JDBC URLs configured (chat.shards.jdbc-urls)");
        }
        final List<HikariDataSource> pools = new ArrayList<>();
        for (int s = 0; s < jdbcUrls.size(); s++) {
            final HikariConfig config = new HikariConfig();
            config.setPoolName(owner + "-shard-" + s);
            config.setJdbcUrl(jdbcUrls.get(s));
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(Math.min(2, poolSize));
            // Do not fail start-up when one shard is down: that shard's work waits, the others go on.
            config.setInitializationFailTimeout(-1);
            config.setConnectionTimeout(5_000);
            config.setValidationTimeout(2_000);
            pools.add(new HikariDataSource(config));
        }
        return new ShardDataSources(List.copyOf(pools), List.copyOf(jdbcUrls));
    }

    /** The pool of shard {@code shard}. */
    public DataSource shard(final int shard) {
        if (shard < 0 || shard >= pools.size()) {
            throw new IllegalArgumentException("shard " + shard + " is not configured (have " + pools.size() + ")");
        }
        return pools.get(shard);
    }

    /** Number of shards configured. */
    public int count() {
        return pools.size();
    }

    /** JDBC URL of shard {@code shard} (for logs and operators). */
    public String url(final int shard) {
        return urls.get(shard);
    }

    @Override
    public void close() {
        pools.forEach(HikariDataSource::close);
    }
}
