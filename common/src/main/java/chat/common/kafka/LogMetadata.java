package chat.common.kafka;

import chat.common.position.Epoch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a service learns about {@code chat.events} at start-up: its epoch and partition count.
 * A service refuses to start when the partition count differs from configuration, because the
 * team -> partition mapping is part of every stored position.
 *
 * @param topic      topic name
 * @param epoch      {@code <region>.<topicId>}
 * @param partitions partition count
 */
public record LogMetadata(String topic, String epoch, int partitions) {

    /** Describes the topic with {@code admin}, waiting at most {@code timeout}. */
    public static LogMetadata describe(final Admin admin, final String topic, final String region,
                                       final int expectedPartitions, final Duration timeout) {
        try {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            if (d.partitions().size() != expectedPartitions) {
                throw new IllegalStateException("topic " + topic + " has " + d.partitions().size()
                        + " partitions but chat.kafka.partitions is " + expectedPartitions
                        + "; the partition count is fixed at creation and must match");
            }
            return new LogMetadata(topic, Epoch.of(region, d.topicId()), d.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("topic " + topic + " does not exist; create it with "
                        + expectedPartitions + " partitions first", e.getCause());
            }
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not describe " + topic + " within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        }
    }
}
