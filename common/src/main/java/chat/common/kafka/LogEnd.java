package chat.common.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Positions a group-less consumer at the end of every partition of a topic, now: what each
 * reader that follows the whole log live does at start (the edge, ingest's restriction feed).
 *
 * <pre>{@code
 * Map<Integer, Long> start = LogEnd.assignAll(consumer, Topics.EVENTS, 12, Duration.ofSeconds(10));
 * }</pre>
 */
public final class LogEnd {
    private LogEnd() {
    }

    /**
     * Assigns partitions {@code 0..partitions-1} of {@code topic} and seeks each to its end, resolving
     * the lazy seek at once ({@code position()}), so "from the end" means the end at this call, not at
     * the first poll.
     *
     * @return the start offset of each partition, by partition
     * @throws org.apache.kafka.common.errors.TimeoutException when a position is not known within {@code timeout}
     */
    public static Map<Integer, Long> assignAll(final Consumer<?, ?> consumer, final String topic, final int partitions,
                                               final Duration timeout) {
        final List<TopicPartition> all = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        consumer.assign(all);
        consumer.seekToEnd(all);
        final Map<Integer, Long> start = new TreeMap<>();
        for (TopicPartition tp : all) {
            start.put(tp.partition(), consumer.position(tp, timeout));
        }
        return start;
    }
}
