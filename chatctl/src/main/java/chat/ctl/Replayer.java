package chat.ctl;

import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import chat.projector.sink.ShardSink;
import chat.projector.topology.RecordProjection;
import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replays partitions of {@code chat.events} into a {@link ShardSink} with the projector's own rules
 * ({@link RecordProjection}: decode, validate, project) and its own writer (the JDBC sink: rows and
 * checkpoint in one transaction per batch). Each partition starts at the sink's checkpoint, so an
 * interrupted replay resumes where it stopped, and stops exactly before the requested offset.
 * Rejected records advance the checkpoint like in the projector but are not sent to the DLQ again.
 *
 * <pre>{@code
 * Replayer r = new Replayer(bootstrap, new JdbcShardSink(map, scratch::shard), 5000, 2);
 * r.replay(Map.of(0, 1200L, 4, 980L));   // partition -> stop before this offset
 * }</pre>
 */
public final class Replayer {
    private static final Duration STALL = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final ShardSink sink;
    private final int batchSize;
    private final int parallelism;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final long startedNanos = System.nanoTime();
    private volatile long maxRate;

    public Replayer(final String bootstrapServers, final ShardSink sink, final int batchSize, final int parallelism) {
        if (batchSize < 1 || parallelism < 1) {
            throw new IllegalArgumentException("batchSize and parallelism must be >= 1");
        }
        this.bootstrapServers = bootstrapServers;
        this.sink = sink;
        this.batchSize = batchSize;
        this.parallelism = parallelism;
    }

    /** Caps the replay at {@code eventsPerSecond} on average (0 = unlimited), e.g. to spare a busy database. */
    public Replayer withMaxRate(final long eventsPerSecond) {
        this.maxRate = Math.max(0, eventsPerSecond);
        return this;
    }

    /** Events applied (written with their checkpoint) since this replayer was made. */
    public long events() {
        return events.get();
    }

    /** Records the projector would have sent to the DLQ, seen so far. */
    public long rejected() {
        return rejected.get();
    }

    /** Replays each partition of {@code until} from the sink's checkpoint up to (excluding) its offset. */
    public void replay(final Map<Integer, Long> until) {
        final ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, until.size())), r -> {
            final Thread t = new Thread(r, "replay");
            t.setDaemon(true);
            return t;
        });
        try {
            final List<Future<?>> tasks = new ArrayList<>();
            until.forEach((p, end) -> tasks.add(pool.submit(() -> replayPartition(p, end))));
            for (Future<?> f : tasks) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new CtlException("replay failed: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("replay interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void replayPartition(final int partition, final long until) {
        final long from = sink.checkpoint(partition);
        if (from >= until) {
            return;
        }
        final TopicPartition tp = new TopicPartition(Topics.EVENTS, partition);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, from);
            final List<RowChange> changes = new ArrayList<>();
            long first = -1;
            long last = -1;
            long lastProgress = System.nanoTime();
            while (consumer.position(tp) < until) {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                        throw new CtlException("replay of partition " + partition + " made no progress for " + STALL
                                + " at offset " + consumer.position(tp) + " (until " + until + ")");
                    }
                    continue;
                }
                lastProgress = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    if (r.offset() >= until) {
                        break;
                    }
                    final RecordProjection.Result result = RecordProjection.of(r.key(), r.value(), partition, r.offset());
                    if (result.rejection() != null) {
                        rejected.incrementAndGet();
                    }
                    if (first < 0) {
                        first = r.offset();
                    }
                    last = r.offset();
                    changes.addAll(result.changes());
                    if (last - first + 1 >= batchSize) {
                        write(partition, first, last, changes);
                        first = -1;
                    }
                }
            }
            if (first >= 0) {
                write(partition, first, last, changes);
            }
        }
    }

    private void write(final int partition, final long first, final long last, final List<RowChange> changes) {
        sink.write(new ProjectionBatch(partition, first, last + 1, changes));
        final long done = events.addAndGet(last - first + 1);
        changes.clear();
        final long rate = maxRate;
        if (rate > 0) {
            final long dueNanos = startedNanos + done * 1_000_000_000L / rate;
            final long ahead = dueNanos - System.nanoTime();
            if (ahead > 0) {
                try {
                    Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000)); // rate limit, not a wait for a condition
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CtlException("replay interrupted", e);
                }
            }
        }
    }

    static Properties consumerProps(final String bootstrapServers) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "chatctl-replay");
        return p;
    }
}
