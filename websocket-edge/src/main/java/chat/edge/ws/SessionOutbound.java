package chat.edge.ws;

import chat.edge.delivery.Outbound;
import chat.edge.protocol.Frame;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes frames to a WebSocket. With the socket's Netty channel known (always, behind Micronaut's
 * Netty server), frames and the close go through the channel's {@link LoopWriter}: one task and one
 * flush per socket per burst, in order, and an event's frame encoded once per loop for all its
 * sockets. Without a channel (tests), each frame's shared UTF-8 bytes are wrapped, not copied, in a
 * Netty text frame sent through the session.
 */
final class SessionOutbound implements Outbound {
    private final WebSocketSession session;
    private final Channel channel;
    private final LoopWriter writer;
    private final Duration closeGrace;
    /** Frames with fewer payload bytes are never compressed on this socket, so they may go pre-encoded. */
    private final int rawBelowBytes;
    /** Frames of the current {@link LoopWriter} run, not yet written (loop thread only). */
    final List<LoopWriter.Write> burst = new ArrayList<>(4);
    /** For the frames of a burst before its last: failures show on the last frame's promise. */
    final ChannelPromise silentPromise;

    /**
     * @param channel the socket's Netty channel when known: frames are then written in per-loop
     *                bursts and a socket whose close frame cannot be flushed (a stuck slow consumer)
     *                is cut after {@code closeGrace}; {@code null} to write through the session
     * @param rawBelowBytes frames with fewer payload bytes are written pre-encoded, past the socket's
     *                compression handler: the compression threshold when compression is on (smaller
     *                frames are never compressed), {@link Integer#MAX_VALUE} when it is off
     */
    SessionOutbound(final WebSocketSession session, final Channel channel, final Duration closeGrace,
                    final int rawBelowBytes) {
        this.rawBelowBytes = rawBelowBytes;
        this.session = session;
        this.channel = channel;
        this.writer = channel == null ? null : LoopWriter.of(channel.eventLoop());
        this.silentPromise = channel == null ? null : new VoidChannelPromise(channel, false);
        this.closeGrace = closeGrace;
    }

    Channel channel() {
        return channel;
    }

    /** True when a frame of {@code payloadBytes} goes to this socket as pre-encoded bytes (never compressed here). */
    boolean sendsRaw(final int payloadBytes) {
        return payloadBytes < rawBelowBytes;
    }

    @Override
    public void send(final Frame frame, final Written done) {
        if (writer == null) {
            session.sendAsync(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.utf8())))
                    .whenComplete((ignored, failure) -> done.written(frame, failure));
            return;
        }
        if (!channel.isActive()) {
            throw new IllegalStateException("socket closed");
        }
        writer.submit(new LoopWriter.Write(this, frame, done));
    }

    @Override
    public boolean isOpen() {
        return channel == null ? session.isOpen() : channel.isOpen();
    }

    @Override
    public void ping() {
        session.sendPingAsync(new byte[0]);
    }

    @Override
    public void close(final int code, final String reason) {
        if (writer == null) {
            session.close(new CloseReason(code, reason));
            return;
        }
        // Behind the frames already handed over, so a client told to reconnect got everything before.
        writer.submit(new LoopWriter.Write(this, () -> {
            session.close(new CloseReason(code, reason));
            // The close frame queues behind unwritten frames; a client that reads nothing would hold
            // the socket (and its queued bytes) forever without this cut.
            channel.eventLoop().schedule(() -> {
                if (channel.isOpen()) {
                    channel.close();
                }
            }, closeGrace.toMillis(), TimeUnit.MILLISECONDS);
        }));
    }
}
