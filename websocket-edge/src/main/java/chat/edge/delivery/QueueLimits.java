package chat.edge.delivery;

/**
 * Bounds of one connection's outbound queue: frames and bytes handed to the socket and not yet
 * written. Exceeding either closes the connection with the slow-consumer code.
 *
 * @param maxFrames 1..{@link #MAX_FRAMES}
 * @param maxBytes  1..{@link #MAX_BYTES}
 */
public record QueueLimits(int maxFrames, long maxBytes) {
    /** The largest frame bound: {@link Connection} counts frames and bytes in one 64-bit word. */
    public static final int MAX_FRAMES = (1 << 22) - 1;
    /** The largest byte bound (512 GiB - 1), with room above it for the frames in flight past the bound. */
    public static final long MAX_BYTES = (1L << 39) - 1;

    public QueueLimits {
        if (maxFrames < 1 || maxBytes < 1 || maxFrames > MAX_FRAMES || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("queue limits must be frames 1.." + MAX_FRAMES + " and bytes 1.."
                    + MAX_BYTES + ", got frames=" + maxFrames + ", bytes=" + maxBytes);
        }
    }
}
