package chat.search.index;

import chat.events.EventEnvelope;
import chat.schemas.EventCodec;
import chat.schemas.EventDecodingException;
import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The indexing loop: one consumer, {@code assign()}ed the partitions this instance owns (no
 * consumer group, no committed consumer offsets: each index's own commit is where it resumes),
 * applying every record to its partition's {@link PartitionIndex}, refreshing searchers every
 * {@code refreshInterval} (at once when a search waits). Commits are {@link #commitDirty}'s job, on
 * another thread.
 *
 * <p>An undecodable record is sent to {@code chat.events.dlq} (component {@code search-indexer})
 * and skipped: an explicit CONTINUE decision, counted in {@link #skipped()}. Before the DLQ has
 * acknowledged it, the partition does not advance.
 *
 * <pre>{@code
 * Indexer indexer = new Indexer(consumer, dlqProducer, indexes, Duration.ofMillis(100), Duration.ofMillis(50), 1000);
 * Thread.ofPlatform().start(indexer);
 * }</pre>
 */
public final class Indexer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> dlq;
    private final Map<Integer, PartitionIndex> indexes;
    private final long refreshNanos;
    private final Duration pollTimeout;
    private final Set<Integer> rebuildRequests = ConcurrentHashMap.newKeySet();
    private final Map<Integer, CompletableFuture<Void>> rebuildDone = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long lastRefresh = System.nanoTime();
    private boolean catchingUp;
    private final int maxPollRecords;
    /** Refresh interval while catching up. */
    private static final long CATCH_UP_REFRESH_NANOS = 1_000_000_000L;

    public Indexer(final Consumer<byte[], byte[]> consumer, final Producer<byte[], byte[]> dlq,
                   final Map<Integer, PartitionIndex> indexes, final Duration refreshInterval, final Duration pollTimeout,
                   final int maxPollRecords) {
        this.maxPollRecords = maxPollRecords;
        this.consumer = consumer;
        this.dlq = dlq;
        this.indexes = Map.copyOf(indexes);
        this.refreshNanos = refreshInterval.toNanos();
        this.pollTimeout = pollTimeout;
    }

    /** Asks the loop to wipe {@code partition}'s index and replay it from offset 0; completes when the wipe is done. */
    public CompletableFuture<Void> requestRebuild(final int partition) {
        if (!indexes.containsKey(partition)) {
            throw new IllegalArgumentException("partition " + partition + " is not indexed here");
        }
        final CompletableFuture<Void> f = rebuildDone.computeIfAbsent(partition, p -> new CompletableFuture<>());
        rebuildRequests.add(partition);
        consumer.wakeup();
        return f;
    }

    /** Events applied since start. */
    public long applied() {
        return applied.get();
    }

    /** Records sent to the DLQ and skipped since start. */
    public long skipped() {
        return skipped.get();
    }

    /** Why the loop stopped, when it failed; null while it runs or after a clean stop. */
    public Throwable failure() {
        return failure;
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            final List<TopicPartition> assigned = new ArrayList<>();
            for (PartitionIndex idx : indexes.values()) {
                assigned.add(new TopicPartition(Topics.EVENTS, idx.partition()));
            }
            consumer.assign(assigned);
            for (PartitionIndex idx : indexes.values()) {
                consumer.seek(new TopicPartition(Topics.EVENTS, idx.partition()), idx.appliedNext());
            }
            while (running) {
                rebuilds();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(pollTimeout);
                } catch (WakeupException e) {
                    continue;
                } catch (OffsetOutOfRangeException e) {
                    for (TopicPartition tp : e.partitions()) {
                        LOG.error("search partition {}: offset {} is no longer in the log (retention?): rebuilding from the log start",
                                tp.partition(), e.offsetOutOfRangePartitions().get(tp));
                        indexes.get(tp.partition()).wipe();
                        consumer.seekToBeginning(List.of(tp));
                    }
                    continue;
                }
                // A full batch means the indexer is behind (replay, catch-up): refreshing every
                // refresh interval then only makes tiny segments to merge, and nobody can search the
                // partition's latest state anyway until it caught up (searches that wait still refresh at once).
                catchingUp = records.count() >= maxPollRecords;
                for (TopicPartition tp : records.partitions()) {
                    final PartitionIndex idx = indexes.get(tp.partition());
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        applyOne(idx, r);
                    }
                    idx.signalProgress();
                }
                maintain(false);
            }
            maintain(true);
        } catch (RuntimeException | IOException | Error e) {
            failure = e;
            LOG.error("search indexer stopped: {}", e.toString(), e);
            if (e instanceof Error err) {
                throw err;
            }
        }
    }

    private void applyOne(final PartitionIndex idx, final ConsumerRecord<byte[], byte[]> r) throws IOException {
        if (r.offset() < idx.appliedNext()) {
            return;
        }
        final EventEnvelope e;
        try {
            e = EventCodec.decode(r.value());
        } catch (EventDecodingException ex) {
            deadLetter(r, ex.getMessage());
            idx.skip(r.offset());
            return;
        }
        try {
            idx.apply(r.offset(), e);
            applied.incrementAndGet();
        } catch (IllegalArgumentException | NullPointerException ex) {
            // A decodable event this build cannot apply (e.g. a payload it does not know).
            deadLetter(r, "cannot index: " + ex);
            idx.skip(r.offset());
        }
    }

    private void deadLetter(final ConsumerRecord<byte[], byte[]> r, final String reason) {
        skipped.incrementAndGet();
        LOG.error("search partition {} offset {}: {}; sending it to {} and going on", r.partition(), r.offset(), reason, Topics.DLQ);
        final RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        headers.add(Topics.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_COMPONENT, "search-indexer".getBytes(StandardCharsets.UTF_8));
        try {
            dlq.send(new ProducerRecord<>(Topics.DLQ, null, r.key(), r.value(), headers)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + Topics.DLQ, e);
        } catch (java.util.concurrent.ExecutionException e) {
            // Never skip silently: without the DLQ the partition stops here and the loop fails.
            throw new IllegalStateException("cannot write partition " + r.partition() + " offset " + r.offset() + " to "
                    + Topics.DLQ + ": " + e.getCause(), e.getCause());
        }
    }

    private void maintain(final boolean closing) throws IOException {
        final long now = System.nanoTime();
        final boolean refreshTime = now - lastRefresh >= (catchingUp ? Math.max(refreshNanos, CATCH_UP_REFRESH_NANOS) : refreshNanos);
        for (PartitionIndex idx : indexes.values()) {
            if (idx.refreshDue() && (refreshTime || closing || idx.hasWaiters())) {
                idx.refresh();
            }
        }
        if (refreshTime) {
            lastRefresh = now;
        }
    }

    /**
     * Commits every partition with events applied since its last commit: called by a committer
     * thread every commit interval, so that fsync never stalls indexing or searches.
     */
    public void commitDirty() throws IOException {
        for (PartitionIndex idx : indexes.values()) {
            if (idx.dirty()) {
                idx.commit();
            }
        }
    }

    private void rebuilds() throws IOException {
        if (rebuildRequests.isEmpty()) {
            return;
        }
        for (Integer p : List.copyOf(rebuildRequests)) {
            rebuildRequests.remove(p);
            final PartitionIndex idx = indexes.get(p);
            try {
                idx.wipe();
                consumer.seek(new TopicPartition(Topics.EVENTS, p), 0);
                LOG.info("search partition {}: index wiped, replaying from offset 0", p);
                final CompletableFuture<Void> f = rebuildDone.remove(p);
                if (f != null) {
                    f.complete(null);
                }
            } catch (IOException | RuntimeException e) {
                final CompletableFuture<Void> f = rebuildDone.remove(p);
                if (f != null) {
                    f.completeExceptionally(e);
                }
                throw e;
            }
        }
    }
}
