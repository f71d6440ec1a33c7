package chat.projector.sink;

import chat.common.shard.ShardRedirects;
import chat.common.shard.ShardRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The shard databases the projector cannot use right now, so that one shard that went away stops
 * only its own partitions while every other shard keeps projecting.
 *
 * <p>A shard is marked unavailable by {@link RetryingShardSink} when it cannot be reached (lost or
 * refused connections, SQLState 08/57P) or refuses writes because it was retired by a cut-over,
 * and when a transient failure outlasts the retries. From then on the sink fails at once for its
 * partitions (no stream thread waits on it) and their tasks stay paused (see
 * {@code ProjectionBufferStore}). One daemon thread probes every marked database every
 * {@code probeEvery}: connect, and check that it is not fenced. When it answers, the mark is
 * removed and the paused partitions resume from their last committed offsets. A mark whose
 * database no longer routes any of its partitions (the map was switched) is dropped: those
 * partitions now go to a database nobody has seen fail.
 *
 * <p>Marks are kept per {@link DataSource} as routed ({@link ShardRouter#route}), never per
 * shard number, because a live reshard reuses the numbers for other databases.
 *
 * <pre>{@code
 * ShardAvailability availability = new ShardAvailability(shards, Duration.ofMillis(500));
 * ShardSink sink = new RetryingShardSink(new JdbcShardSink(shards), 5, settings::backoff, Sleeper.SYSTEM, availability);
 * if (!availability.available(partition)) { ... the task waits ... }
 * }</pre>
 */
public final class ShardAvailability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardAvailability.class);

    /** Why a database is marked, since when, and which partitions saw it fail. */
    private record Down(int shard, long sinceNanos, String reason, Set<Integer> partitions) {
    }

    private final ShardRouter router;
    private final Map<DataSource, Down> down = new ConcurrentHashMap<>();
    private final ScheduledExecutorService prober;

    /**
     * @param probeEveryMs how often marked databases are probed; 0 = never automatically (tests call
     *                     {@link #probeOnce()})
     */
    public ShardAvailability(final ShardRouter router, final long probeEveryMs) {
        this.router = Objects.requireNonNull(router, "router");
        if (probeEveryMs < 0) {
            throw new IllegalArgumentException("probeEveryMs must be >= 0, got " + probeEveryMs);
        }
        if (probeEveryMs == 0) {
            prober = null;
        } else {
            prober = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "projector-shard-probe");
                t.setDaemon(true);
                return t;
            });
            prober.scheduleWithFixedDelay(this::probeOnce, probeEveryMs, probeEveryMs, TimeUnit.MILLISECONDS);
        }
    }

    /** True unless the database {@code partition} routes to now is marked unavailable. */
    public boolean available(final int partition) {
        return down.isEmpty() || !down.containsKey(router.route(partition).dataSource());
    }

    /** Why the shard of {@code partition} is unavailable, or null when it is available. */
    public String reason(final int partition) {
        if (down.isEmpty()) {
            return null;
        }
        final Down d = down.get(router.route(partition).dataSource());
        return d == null ? null : "shard " + d.shard() + " unavailable for "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - d.sinceNanos()) + " ms: " + d.reason();
    }

    /** Marks the database {@code partition} routes to now as unavailable (idempotent). */
    public void markDown(final int partition, final TransientShardException cause) {
        final ShardRouter.Route route = router.route(partition);
        final Down before = down.putIfAbsent(route.dataSource(), new Down(route.shard(), System.nanoTime(),
                cause.getMessage(), ConcurrentHashMap.newKeySet()));
        down.get(route.dataSource()).partitions().add(partition);
        if (before == null) {
            LOG.warn("shard {} marked unavailable: its partitions pause and resume when it answers a probe ({})",
                    route.shard(), cause.getMessage());
        }
    }

    /** Number of databases marked unavailable now. */
    public int unavailableCount() {
        return down.size();
    }

    /** Shard numbers marked unavailable now (for health details). */
    public List<Integer> unavailableShards() {
        final List<Integer> shards = new ArrayList<>();
        down.values().forEach(d -> shards.add(d.shard()));
        shards.sort(null);
        return shards;
    }

    /**
     * Probes every marked database once: a mark is removed when the database accepts a connection
     * and is not fenced, or when none of its partitions routes to it any more. Returns how many
     * marks were removed.
     */
    public synchronized int probeOnce() {
        int cleared = 0;
        for (Map.Entry<DataSource, Down> e : down.entrySet()) {
            final DataSource ds = e.getKey();
            final Down d = e.getValue();
            if (d.partitions().stream().noneMatch(p -> router.route(p).dataSource() == ds)) {
                down.remove(ds, d);
                cleared++;
                LOG.info("shard {} mark dropped: its partitions route to another database now", d.shard());
                continue;
            }
            try (Connection c = ds.getConnection()) {
                if (ShardRedirects.isFenced(c)) {
                    continue; // retired and not yet replaced: its successor is not published yet
                }
                down.remove(ds, d);
                cleared++;
                LOG.info("shard {} available again after {} ms; its partitions resume", d.shard(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - d.sinceNanos()));
            } catch (SQLException | RuntimeException ex) {
                LOG.debug("shard {} still unavailable: {}", d.shard(), ex.toString());
            }
        }
        return cleared;
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.shutdownNow();
        }
    }
}
