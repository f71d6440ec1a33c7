package chat.common.shard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One connection pool per shard database, indexed by shard number. Built from configuration
 * (JDBC URLs in shard order), never from code.
 *
 * <p>The data source of a shard is a stable handle: {@link #reroute(int, String)} switches it to
 * another database at runtime (the blue/green cut-over of {@code chatctl shard rebuild}, see
 * {@link ShardRedirects}); connections taken afterwards come from the new database, connections
 * already borrowed finish on the old one.
 *
 * <pre>{@code
 * try (ShardDataSources shards = ShardDataSources.open(urls, "chat", "secret", 8, "projector")) {
 *     DataSource s0 = shards.shard(0);
 * }
 * }</pre>
 */
public final class ShardDataSources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardDataSources.class);

    private final List<Routed> shards;
    private final String user;
    private final String password;
    private final int poolSize;
    private final String owner;

    private ShardDataSources(final List<Routed> shards, final String user, final String password, final int poolSize,
                             final String owner) {
        this.shards = shards;
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
        this.owner = owner;
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
        final List<Routed> shards = new ArrayList<>();
        for (int s = 0; s < jdbcUrls.size(); s++) {
            shards.add(new Routed(jdbcUrls.get(s), pool(jdbcUrls.get(s), user, password, poolSize, owner + "-shard-" + s)));
        }
        return new ShardDataSources(List.copyOf(shards), user, password, poolSize, owner);
    }

    private static HikariDataSource pool(final String url, final String user, final String password, final int poolSize,
                                         final String name) {
        final HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        // Do not fail start-up when one shard is down: that shard's work waits, the others go on.
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        return new HikariDataSource(config);
    }

    /** The pool of shard {@code shard} (a stable handle that follows {@link #reroute}). */
    public DataSource shard(final int shard) {
        if (shard < 0 || shard >= shards.size()) {
            throw new IllegalArgumentException("shard " + shard + " is not configured (have " + shards.size() + ")");
        }
        return shards.get(shard);
    }

    /** Number of shards configured. */
    public int count() {
        return shards.size();
    }

    /** JDBC URL of shard {@code shard} as currently routed (for logs and operators). */
    public String url(final int shard) {
        return shards.get(shard).current().url();
    }

    /**
     * Points shard {@code shard} at another database from now on: opens a pool for {@code jdbcUrl},
     * swaps it in atomically, and closes the old pool (borrowed connections finish first, HikariCP
     * closes them on return). No-op when already there.
     *
     * @return true when the route changed
     */
    public boolean reroute(final int shard, final String jdbcUrl) {
        final Routed routed = (Routed) shard(shard);
        final Target old;
        synchronized (routed) {
            old = routed.current();
            if (old.url().equals(jdbcUrl)) {
                return false;
            }
            routed.set(new Target(jdbcUrl, pool(jdbcUrl, user, password, poolSize,
                    owner + "-shard-" + shard + "-" + (++routed.generation))));
        }
        LOG.info("shard {} rerouted: {} -> {}", shard, old.url(), jdbcUrl);
        old.pool().close();
        return true;
    }

    @Override
    public void close() {
        shards.forEach(r -> r.current().pool().close());
    }

    private record Target(String url, HikariDataSource pool) {
    }

    /** A DataSource that always lends from the shard's current pool. */
    private static final class Routed implements DataSource {
        private volatile Target target;
        private int generation;

        Routed(final String url, final HikariDataSource pool) {
            this.target = new Target(url, pool);
        }

        Target current() {
            return target;
        }

        void set(final Target t) {
            target = Objects.requireNonNull(t);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return target.pool().getConnection();
        }

        @Override
        public Connection getConnection(final String username, final String password) throws SQLException {
            return target.pool().getConnection(username, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.pool().getLogWriter();
        }

        @Override
        public void setLogWriter(final PrintWriter out) throws SQLException {
            target.pool().setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(final int seconds) throws SQLException {
            target.pool().setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.pool().getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.pool().getParentLogger();
        }

        @Override
        public <T> T unwrap(final Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            return target.pool().unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(final Class<?> iface) throws SQLException {
            return iface.isInstance(this) || target.pool().isWrapperFor(iface);
        }

        @Override
        public String toString() {
            return "shard -> " + target.url();
        }
    }
}
