package chat.edge.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One server-to-client text frame, rendered once as UTF-8 JSON. The same instance is handed to
 * every subscriber of an event, so an event is encoded exactly once however many sockets get it.
 * The array is never modified after construction.
 *
 * <pre>{@code
 * Frame f = ServerFrames.subscribed("t1", null);
 * int bytes = f.size();
 * }</pre>
 */
public final class Frame {
    private final byte[] utf8;
    private final long appendedAt;

    Frame(final byte[] utf8) {
        this(utf8, 0);
    }

    Frame(final byte[] utf8, final long appendedAt) {
        this.utf8 = Objects.requireNonNull(utf8, "utf8");
        this.appendedAt = appendedAt;
    }

    /** An event frame's log append time (epoch ms), for the delivery latency metric; 0 for control frames. */
    public long appendedAt() {
        return appendedAt;
    }

    /** A frame of arbitrary text, for tests and tools. */
    public static Frame ofText(final String text) {
        return new Frame(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The UTF-8 payload; shared, callers must not modify it. */
    public byte[] utf8() {
        return utf8;
    }

    /** Payload size in bytes, what the outbound queue bound counts. */
    public int size() {
        return utf8.length;
    }

    /** The payload as text (decodes; for tests and logs). */
    public String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Frame[" + utf8.length + " bytes]";
    }
}
