package chat.common.position;

import org.apache.kafka.common.Uuid;

/**
 * Names one incarnation of the log: {@code <region>.<topicId>}. Recreating the topic (new topic
 * id) or reading a different region's copy yields a different epoch, so stored positions from
 * the old one are recognised as foreign and the client is told to resync.
 */
public final class Epoch {
    private Epoch() {
    }

    /** The epoch string for a region and the topic id Kafka assigned to {@code chat.events}. */
    public static String of(final String region, final Uuid topicId) {
        return region + "." + topicId;
    }
}
