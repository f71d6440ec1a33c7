package chat.search.index;

import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log end offsets of the partitions this instance indexes, as a read-your-writes barrier for
 * searches: {@link #observedAfterNow()} completes with end offsets fetched by a request that
 * <em>started after</em> the call, so every write acknowledged before a search began is below them.
 * Concurrent callers share one request (single flight): under load the broker sees one
 * {@code ListOffsets} at a time, back to back, however many searches run.
 *
 * <pre>{@code
 * long target = endOffsets.observedAfterNow().get(2, SECONDS).get(partition);
 * index.awaitSearchable(target, deadline);
 * }</pre>
 */
public final class EndOffsets implements AutoCloseable {
    private final Consumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Duration timeout;
    private final Thread thread;
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong fetchNanos = new AtomicLong();
    private CompletableFuture<Map<Integer, Long>> next;
    private boolean closed;

    /** @param consumer used by this class's thread only */
    public EndOffsets(final Consumer<byte[], byte[]> consumer, final List<Integer> partitions, final Duration timeout) {
        this.consumer = consumer;
        this.partitions = partitions.stream().map(p -> new TopicPartition(Topics.EVENTS, p)).toList();
        this.timeout = timeout;
        this.thread = Thread.ofPlatform().name("search-end-offsets").daemon(true).start(this::loop);
    }

    /** End offsets of every indexed partition, fetched by a request that starts after this call. */
    public synchronized CompletableFuture<Map<Integer, Long>> observedAfterNow() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        if (next == null) {
            next = new CompletableFuture<>();
            notifyAll();
        }
        return next;
    }

    /** ListOffsets requests made so far. */
    public long fetches() {
        return fetches.get();
    }

    /** Mean time of one request, microseconds. */
    public long meanFetchMicros() {
        final long n = fetches.get();
        return n == 0 ? 0 : fetchNanos.get() / n / 1000;
    }

    private void loop() {
        // Assigned (never polled): read_committed end offsets of unassigned partitions log a warning each time.
        consumer.assign(partitions);
        while (true) {
            final CompletableFuture<Map<Integer, Long>> f;
            synchronized (this) {
                while (next == null && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    if (next != null) {
                        next.completeExceptionally(new IllegalStateException("closed"));
                    }
                    return;
                }
                f = next;
                next = null; // callers from now on wait for the next request, which starts after them
            }
            final long t0 = System.nanoTime();
            try {
                final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
                final Map<Integer, Long> out = new HashMap<>();
                ends.forEach((tp, off) -> out.put(tp.partition(), off));
                f.complete(out);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            } finally {
                fetches.incrementAndGet();
                fetchNanos.addAndGet(System.nanoTime() - t0);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(timeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ZERO);
    }
}
