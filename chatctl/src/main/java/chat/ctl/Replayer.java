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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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

    /**
     * Replays each partition of {@code until} from the sink's checkpoint up to (excluding) its offset.
     * The partitions are dealt to {@code parallelism} threads; each thread reads ITS partitions with ONE
     * consumer (a consumer costs a few hundred ms to start on a busy machine, which matters in the
     * short replays inside a fence window).
     */
    public void replay(final Map<Integer, Long> until) {
        final Map<Integer, Long> todo = new TreeMap<>();
        until.forEach((p, end) -> {
            final long from = sink.checkpoint(p);
            if (from < end) {
                todo.put(p, end);
            }
        });
        if (todo.isEmpty()) {
            return;
        }
        final int threads = Math.min(parallelism, todo.size());
        final List<Map<Integer, Long>> shares = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            shares.add(new TreeMap<>());
        }
        int i = 0;
        for (Map.Entry<Integer, Long> e : todo.entrySet()) {
            shares.get(i++ % threads).put(e.getKey(), e.getValue());
        }
        final ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            final Thread t = new Thread(r, "replay");
            t.setDaemon(true);
            return t;
        });
        try {
            final List<Future<?>> tasks = new ArrayList<>();
            for (Map<Integer, Long> share : shares) {
                tasks.add(pool.submit(() -> replayPartitions(share)));
            }
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

    /** The events read but not yet written of one partition (at most one batch). */
    private static final class Pending {
        final List<RowChange> changes = new ArrayList<>();
        long first = -1;
        long last = -1;
    }

    private void replayPartitions(final Map<Integer, Long> until) {
        final Map<TopicPartition, Long> open = new HashMap<>();
        final Map<TopicPartition, Long> from = new HashMap<>();
        until.forEach((p, end) -> {
            final long start = sink.checkpoint(p);
            if (start < end) {
                final TopicPartition tp = new TopicPartition(Topics.EVENTS, p);
                open.put(tp, end);
                from.put(tp, start);
            }
        });
        if (open.isEmpty()) {
            return;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(open.keySet());
            from.forEach(consumer::seek);
            final Map<TopicPartition, Pending> pending = new HashMap<>();
            long lastProgress = System.nanoTime();
            while (!open.isEmpty()) {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                        throw new CtlException("replay of partitions " + open.keySet() + " made no progress for " + STALL
                                + " (until " + open + ")");
                    }
                } else {
                    lastProgress = System.nanoTime();
                }
                for (TopicPartition tp : records.partitions()) {
                    final Long end = open.get(tp);
                    if (end == null) {
                        continue;
                    }
                    final Pending b = pending.computeIfAbsent(tp, k -> new Pending());
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        if (r.offset() >= end) {
                            break;
                        }
                        final RecordProjection.Result result = RecordProjection.of(r.key(), r.value(), tp.partition(), r.offset());
                        if (result.rejection() != null) {
                            rejected.incrementAndGet();
                        }
                        if (b.first < 0) {
                            b.first = r.offset();
                        }
                        b.last = r.offset();
                        b.changes.addAll(result.changes());
                        if (b.last - b.first + 1 >= batchSize) {
                            write(tp.partition(), b.first, b.last, b.changes);
                            b.first = -1;
                        }
                    }
                }
                for (TopicPartition tp : List.copyOf(open.keySet())) {
                    if (consumer.position(tp) >= open.get(tp)) {
                        final Pending b = pending.remove(tp);
                        if (b != null && b.first >= 0) {
                            write(tp.partition(), b.first, b.last, b.changes);
                        }
                        open.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
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
