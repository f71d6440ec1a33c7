package chat.common.kafka;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * The partition of {@code chat.events} a team lives in: exactly what Kafka's default partitioner
 * does with the UTF-8 key (murmur2, positive, modulo the partition count). Services use it to
 * find a team's shard or its place in the log without asking the broker.
 *
 * <pre>{@code
 * int p = TeamPartitioner.partitionOf("acme", 12);
 * }</pre>
 */
public final class TeamPartitioner {
    private TeamPartitioner() {
    }

    public static int partitionOf(final String teamId, final int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(teamId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
