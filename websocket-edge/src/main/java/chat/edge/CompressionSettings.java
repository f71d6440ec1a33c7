package chat.edge;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.util.ArrayList;
import java.util.List;

/**
 * WebSocket compression, permessage-deflate (RFC 7692), {@code chat.edge.compression.*}. Negotiated
 * per connection: a client that offers it gets frames of at least {@code threshold-bytes} compressed,
 * smaller ones plain; a client that does not offer it gets every frame plain. The edge always answers
 * with {@code server_no_context_takeover}: each compressed frame gets a fresh deflater that is
 * released right after, so a connection keeps no compression memory between frames (zlib needs about
 * 256 KiB of native memory per deflater at window 15, memory level 8, and holds it only while it
 * compresses one frame); a client that offers {@code client_no_context_takeover} gets the same for
 * its own frames (else the edge keeps one inflater, about 40 KiB, for a connection once it sent a
 * compressed frame). A client asking for {@code server_max_window_bits} gets no compression.
 *
 * <pre>{@code
 * chat.edge.compression.threshold-bytes=1024
 * }</pre>
 *
 * @param enabled        false: the edge refuses permessage-deflate (every frame plain; the upgrade
 *                       answer names no extension)
 * @param thresholdBytes frames (UTF-8 payload) smaller than this are sent uncompressed; >= 0
 * @param level          zlib level 1 (fast) .. 9 (small)
 * @param maxInflated    largest decompressed client frame, in bytes (decompression bombs); >= 1024
 */
@ConfigurationProperties("chat.edge.compression")
public record CompressionSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "1024") int thresholdBytes,
        @Bindable(defaultValue = "6") int level,
        @Bindable(defaultValue = "65536") int maxInflated) {

    public CompressionSettings {
        final List<String> problems = new ArrayList<>();
        if (thresholdBytes < 0) {
            problems.add("chat.edge.compression.threshold-bytes must be >= 0, got " + thresholdBytes);
        }
        if (level < 1 || level > 9) {
            problems.add("chat.edge.compression.level must be 1..9, got " + level);
        }
        if (maxInflated < 1024) {
            problems.add("chat.edge.compression.max-inflated must be >= 1024, got " + maxInflated);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid websocket-edge configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /**
     * Frames with fewer payload bytes are never compressed, on any connection: the compression
     * handler skips them, and the edge may write them pre-encoded past it. {@link Integer#MAX_VALUE}
     * when compression is off.
     */
    public int uncompressedBelowBytes() {
        return enabled ? thresholdBytes : Integer.MAX_VALUE;
    }
}
