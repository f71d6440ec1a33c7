package chat.edge.consume;

import chat.edge.delivery.EdgeStats;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The consumer thread's loop. {@link #positionAtEnd} runs on the starting thread (so start-up
 * fails if Kafka cannot be reached and clients connecting after start-up see every later event);
 * {@link #run} then owns the consumer until {@link #stop}. Never blocks on a socket: fan-out only
 * hands frames to non-blocking {@code offer}.
 */
final class EventLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final long MAX_BACKOFF_MS = 5_000;

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final int partitions;
    private final Router router;
    private final EdgeStats stats;
    private final Duration pollTimeout;
    private volatile boolean running = true;

    EventLoop(final Consumer<byte[], byte[]> consumer, final String topic, final int partitions, final Router router,
              final EdgeStats stats, final Duration pollTimeout) {
        this.consumer = consumer;
        this.topic = topic;
        this.partitions = partitions;
        this.router = router;
        this.stats = stats;
        this.pollTimeout = pollTimeout;
    }

    /** Assigns every partition and seeks to the log end; returns the start offset of each partition. */
    Map<Integer, Long> positionAtEnd(final Duration timeout) {
        return chat.common.kafka.LogEnd.assignAll(consumer, topic, partitions, timeout);
    }

    @Override
    public void run() {
        long backoffMs = 0;
        try {
            while (running) {
                try {
                    final ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                    backoffMs = 0;
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        router.route(r);
                    }
                } catch (WakeupException e) {
                    if (running) {
                        LOG.debug("consumer woken up while running; continuing");
                    }
                } catch (KafkaException e) {
                    stats.consumerError();
                    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs == 0 ? 100 : backoffMs * 2);
                    LOG.error("polling {} failed; retrying in {} ms: {}", topic, backoffMs, e.toString(), e);
                    pause(backoffMs);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("edge consumer thread died; no more events are delivered by this edge", e);
            throw e;
        } finally {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("closing the edge consumer failed: {}", e.toString());
            }
        }
    }

    /** Asks the loop to finish; the consumer is closed on the loop's thread. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    private void pause(final long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
