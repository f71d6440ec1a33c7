package chat.projector.cache;

import chat.common.redis.ReadCacheKeys;
import chat.common.redis.RedisGate;
import chat.projector.projection.ProjectionBatch;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Writes committed batches through to the Redis read cache, off the stream threads: the shard
 * path only offers the batch to a bounded queue (never blocks, never fails); one writer thread
 * applies the batches in commit order per partition with {@link ReadCacheKeys#APPLY} (one atomic
 * script per batch).
 *
 * <p>When Redis is away, the queue is full, or a write fails, the batch is dropped and the
 * partition remembered as stale: the next batch that reaches Redis finds the gap and starts a
 * new epoch (every entry of the partition becomes invalid, readers go to the shard and refill).
 * So that a partition without further writes does not keep serving what Redis held before,
 * the writer also retries an explicit {@link ReadCacheKeys#INVALIDATE} for stale partitions
 * until Redis answers. Nothing here waits on Redis longer than the gate's command timeout.
 *
 * <pre>{@code
 * ReadCacheWriter w = new ReadCacheWriter(gate, p -> shards.shard(map.shardOf(p)), ReadCacheSettings.defaults());
 * w.start();
 * w.submit(batch); // after the shard committed it
 * }</pre>
 */
public final class ReadCacheWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadCacheWriter.class);
    private static final long REPAIR_EVERY_MS = 250;

    private final RedisGate gate;
    private final IntFunction<DataSource> shardOfPartition;
    private final int window;
    private final BlockingQueue<ProjectionBatch> queue;
    /** partition -> next offset of the last batch the cache missed (dropped or failed). */
    private final Map<Integer, Long> stale = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public ReadCacheWriter(final RedisGate gate, final IntFunction<DataSource> shardOfPartition, final int window,
                           final int queueCapacity) {
        this.gate = gate;
        this.shardOfPartition = shardOfPartition;
        this.window = window;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = Thread.ofPlatform().daemon().name("read-cache-writer").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Offers a batch the shard has committed; never blocks. */
    public void submit(final ProjectionBatch batch) {
        if (!queue.offer(batch)) {
            dropped.incrementAndGet();
            markStale(batch);
        }
    }

    /** Counters: batches applied, gaps found (new epochs), batches dropped, failed writes, partitions stale now. */
    public record Stats(long applied, long gaps, long dropped, long failures, int stalePartitions, int queued) {
    }

    public Stats stats() {
        return new Stats(applied.get(), gaps.get(), dropped.get(), failures.get(), stale.size(), queue.size());
    }

    private void markStale(final ProjectionBatch b) {
        stale.merge(b.partition(), b.nextOffset(), Math::max);
    }

    private void run() {
        while (running) {
            try {
                final ProjectionBatch b = queue.poll(REPAIR_EVERY_MS, TimeUnit.MILLISECONDS);
                if (b != null) {
                    write(b);
                }
                if (!stale.isEmpty() && (b == null || queue.isEmpty())) {
                    repair();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("read cache writer: unexpected error, carrying on: {}", e.toString(), e);
            }
        }
    }

    void write(final ProjectionBatch b) {
        final Optional<RedisCommands<String, String>> redis = gate.commands();
        if (redis.isEmpty()) {
            failures.incrementAndGet();
            markStale(b);
            return;
        }
        try {
            final CacheOps.Questions q = CacheOps.questions(b);
            final ShardFacts facts = q.none() ? ShardFacts.NONE : ShardFacts.lookup(shardOfPartition.apply(b.partition()), q);
            final Long result = ReadCacheKeys.eval(redis.get(), ReadCacheKeys.APPLY, ScriptOutputType.INTEGER,
                    ReadCacheKeys.state(b.partition()), ReadCacheKeys.prefix(b.partition()), Long.toString(b.firstOffset()),
                    Long.toString(b.nextOffset()), ReadCacheKeys.newEpoch(), Integer.toString(window), CacheOps.ops(b, facts));
            if (result != null && result == 0L) {
                gaps.incrementAndGet();
                LOG.info("read cache of partition {} had a gap before {}: new epoch, entries refill from the shard",
                        b.partition(), b.describe());
            }
            // Any answer means Redis has this partition's continuity again (a gap was turned into a new epoch).
            stale.computeIfPresent(b.partition(), (p, missed) -> missed <= b.nextOffset() ? null : missed);
            applied.incrementAndGet();
        } catch (RedisException | java.sql.SQLException e) {
            failures.incrementAndGet();
            markStale(b);
            LOG.debug("read cache write of {} failed, partition marked stale: {}", b.describe(), e.toString());
        }
    }

    void repair() {
        final Optional<RedisCommands<String, String>> redis = gate.commands();
        if (redis.isEmpty()) {
            return;
        }
        for (Map.Entry<Integer, Long> e : stale.entrySet()) {
            final int p = e.getKey();
            try {
                ReadCacheKeys.eval(redis.get(), ReadCacheKeys.INVALIDATE, ScriptOutputType.INTEGER, ReadCacheKeys.state(p),
                        ReadCacheKeys.prefix(p), ReadCacheKeys.newEpoch(), Long.toString(e.getValue()));
                stale.remove(p, e.getValue());
                gaps.incrementAndGet();
                LOG.info("read cache of partition {} invalidated after missed writes (up to offset {})", p, e.getValue());
            } catch (RedisException ex) {
                return;
            }
        }
    }

    /** Stops the writer thread; what is queued is dropped (a cache loses nothing of value). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
