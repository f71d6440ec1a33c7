package chat.common.position;

import java.util.Objects;

/**
 * Where an event sits in {@code chat.events}: {@code (epoch, partition, offset)}. Within a team
 * positions are totally ordered (one team lives in one partition); positions of different
 * epochs are not comparable and cannot be resumed across.
 *
 * <pre>{@code
 * Position p = new Position("dev.Qx3...", 7, 4211);
 * }</pre>
 *
 * @param epoch     the log's incarnation: region plus the topic's id
 * @param partition partition of {@code chat.events}
 * @param offset    offset in that partition
 */
public record Position(String epoch, int partition, long offset) {
    public Position {
        Objects.requireNonNull(epoch, "epoch");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
    }
}
