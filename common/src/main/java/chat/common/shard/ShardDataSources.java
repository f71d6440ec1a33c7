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
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One connection pool per shard database, indexed by shard number, plus the shard map that says
 * which shard holds each partition. Built from configuration (JDBC URLs in shard order and the map
 * file), never from code.
 *
 * <p>The routing can change at runtime, in two ways:
 * <ul>
 *   <li>{@link #reroute(int, String)} moves ONE shard to another database (the blue/green
 *       rebuild, see {@link ShardRedirects}); the handle returned by {@link #shard(int)} follows it.</li>
 *   <li>{@link #switchMap(ShardMap, List)} replaces the map AND every pool in one atomic step
 *       (the live reshard, see {@link ShardMapSwitch}). Callers must therefore resolve a partition
 *       with {@link #route(int)} / {@link #forPartition(int)} per use, never keep
 *       {@code shard(map.shardOf(p))} computed with a map they hold themselves.</li>
 * </ul>
 * Retired pools are closed after {@link #RETIRE_GRACE_MS}, not at once: a query that borrowed a
 * connection before the switch finishes on the old database (which is fenced against writes, so it
 * can only be read), instead of being aborted.
 *
 * <pre>{@code
 * try (ShardDataSources shards = ShardDataSources.open(map, urls, "chat", "secret", 8, "projector")) {
 *     try (Connection c = shards.forPartition(7).getConnection()) { ... }
 * }
 * }</pre>
 */
public final class ShardDataSources implements ShardRouter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardDataSources.class);
    /** How long a retired pool stays open for the connections borrowed before a switch. */
    public static final long RETIRE_GRACE_MS = 30_000;

    private final String user;
    private final String password;
    private final int poolSize;
    private final String owner;
    private final ScheduledExecutorService retirer;
    private final List<HikariDataSource> retired = new ArrayList<>();
    private volatile Routing routing;
    private boolean closed;

    /** The map in force (null when opened without one) and the pools of its shards. */
    private record Routing(ShardMap map, List<Routed> shards) {
    }

    private ShardDataSources(final ShardMap map, final List<String> jdbcUrls, final String user, final String password,
                             final int poolSize, final String owner) {
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
        this.owner = owner;
        this.routing = new Routing(map, routes(map, jdbcUrls));
        this.retirer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, owner + "-shard-pool-retirer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens a pool per URL for the shards of {@code map}; pools connect lazily so a shard that is
     * down does not stop the others.
     *
     * @param map      partition -> shard; {@code map.shards()} must equal the number of URLs
     * @param poolSize maximum connections per shard (>= 1)
     * @param owner    names the pools in logs and thread names, e.g. {@code projector}
     */
    public static ShardDataSources open(final ShardMap map, final List<String> jdbcUrls, final String user,
                                        final String password, final int poolSize, final String owner) {
        Objects.requireNonNull(map, "map");
        check(map, jdbcUrls);
        return new ShardDataSources(map, jdbcUrls, user, password, poolSize, owner);
    }

    /**
     * Opens pools without a shard map (tools that address shards by number only);
     * {@link #route(int)} and {@link #switchMap} are unavailable.
     */
    public static ShardDataSources open(final List<String> jdbcUrls, final String user, final String password,
                                        final int poolSize, final String owner) {
        if (jdbcUrls.isEmpty()) {
            throw new IllegalArgumentException("no shard JDBC URLs configured (chat.shards.jdbc-urls)");
        }
        return new ShardDataSources(null, jdbcUrls, user, password, poolSize, owner);
    }

    private static void check(final ShardMap map, final List<String> jdbcUrls) {
        if (jdbcUrls.isEmpty()) {
            throw new IllegalArgumentException("no shard JDBC URLs configured (chat.shards.jdbc-urls)");
        }
        if (map.shards() != jdbcUrls.size()) {
            throw new IllegalArgumentException("shard map v" + map.version() + " uses " + map.shards() + " shards but "
                    + jdbcUrls.size() + " JDBC URLs are given");
        }
    }

    private List<Routed> routes(final ShardMap map, final List<String> jdbcUrls) {
        final String generation = map == null ? "" : "-v" + map.version();
        final List<Routed> out = new ArrayList<>();
        for (int s = 0; s < jdbcUrls.size(); s++) {
            out.add(new Routed(jdbcUrls.get(s), pool(jdbcUrls.get(s), owner + generation + "-shard-" + s)));
        }
        return List.copyOf(out);
    }

    private HikariDataSource pool(final String url, final String name) {
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

    /** The pool of shard {@code shard} under the map in force (a handle that follows {@link #reroute}). */
    public DataSource shard(final int shard) {
        final List<Routed> shards = routing.shards();
        if (shard < 0 || shard >= shards.size()) {
            throw new IllegalArgumentException("shard " + shard + " is not configured (have " + shards.size() + ")");
        }
        return shards.get(shard);
    }

    /** Number of shards of the map in force. */
    public int count() {
        return routing.shards().size();
    }

    /** JDBC URL of shard {@code shard} as currently routed (for logs and operators). */
    public String url(final int shard) {
        return ((Routed) shard(shard)).current().url();
    }

    /** The shard map in force. */
    public ShardMap map() {
        final ShardMap map = routing.map();
        if (map == null) {
            throw new IllegalStateException("these shard pools (" + owner + ") were opened without a shard map");
        }
        return map;
    }

    /** True when opened with a shard map (so {@link #route} and {@link #switchMap} work). */
    public boolean hasMap() {
        return routing.map() != null;
    }

    @Override
    public Route route(final int partition) {
        final Routing r = routing; // one read: map and pools from the same generation
        if (r.map() == null) {
            throw new IllegalStateException("these shard pools (" + owner + ") were opened without a shard map");
        }
        final int shard = r.map().shardOf(partition);
        return new Route(shard, r.shards().get(shard));
    }

    /**
     * Points shard {@code shard} at another database from now on: opens a pool for {@code jdbcUrl},
     * swaps it in atomically, and retires the old pool (closed after {@link #RETIRE_GRACE_MS}).
     * No-op when already there.
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
            routed.set(new Target(jdbcUrl, pool(jdbcUrl, owner + "-shard-" + shard + "-" + (++routed.generation))));
        }
        LOG.info("shard {} rerouted: {} -> {}", shard, old.url(), jdbcUrl);
        retire(List.of(old.pool()));
        return true;
    }

    /**
     * Replaces the shard map and every pool in one step (the live cut-over of a reshard): from the
     * moment this returns, {@link #route} answers with {@code next} and its databases. Only a newer
     * map is taken; the partition count never changes.
     *
     * @return true when switched, false when {@code next} is not newer than the map in force
     * @throws IllegalArgumentException when {@code next} does not fit (partitions, URL count)
     */
    public synchronized boolean switchMap(final ShardMap next, final List<String> jdbcUrls) {
        final Routing before = routing;
        if (before.map() == null) {
            throw new IllegalStateException("these shard pools (" + owner + ") were opened without a shard map");
        }
        check(next, jdbcUrls);
        if (next.partitions() != before.map().partitions()) {
            throw new IllegalArgumentException("shard map v" + next.version() + " covers " + next.partitions()
                    + " partitions, the map in force v" + before.map().version() + " covers " + before.map().partitions());
        }
        if (next.version() <= before.map().version()) {
            return false;
        }
        if (closed) {
            throw new IllegalStateException("shard pools (" + owner + ") are closed");
        }
        routing = new Routing(next, routes(next, jdbcUrls));
        LOG.info("shard map switched: v{} ({} shards, {}) -> v{} ({} shards, {})", before.map().version(),
                before.shards().size(), before.shards().stream().map(r -> r.current().url()).toList(), next.version(),
                jdbcUrls.size(), jdbcUrls);
        retire(before.shards().stream().map(r -> r.current().pool()).toList());
        return true;
    }

    private synchronized void retire(final List<HikariDataSource> pools) {
        if (closed) {
            pools.forEach(HikariDataSource::close);
            return;
        }
        retired.addAll(pools);
        try {
            retirer.schedule(() -> {
                synchronized (this) {
                    retired.removeAll(pools);
                }
                pools.forEach(HikariDataSource::close);
            }, RETIRE_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            pools.forEach(HikariDataSource::close);
        }
    }

    @Override
    public void close() {
        final List<HikariDataSource> pending;
        synchronized (this) {
            closed = true;
            pending = List.copyOf(retired);
            retired.clear();
        }
        retirer.shutdownNow();
        pending.forEach(HikariDataSource::close);
        routing.shards().forEach(r -> r.current().pool().close());
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
