package chat.edge.delivery;

/**
 * Bounds of one connection's outbound queue: frames and bytes handed to the socket and not yet
 * written. Exceeding either closes the connection with the slow-consumer code.
 *
 * @param maxFrames >= 1
 * @param maxBytes  >= 1
 */
public record QueueLimits(int maxFrames, long maxBytes) {
    public QueueLimits {
        if (maxFrames < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("queue limits must be >= 1, got frames=" + maxFrames
                    + ", bytes=" + maxBytes);
        }
    }
}
