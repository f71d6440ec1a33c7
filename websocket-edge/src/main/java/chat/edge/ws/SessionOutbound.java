package chat.edge.ws;

import chat.edge.delivery.Outbound;
import chat.edge.protocol.Frame;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Writes frames to a Micronaut WebSocket session. Each frame's shared UTF-8 bytes are wrapped,
 * not copied, in a Netty text frame, so fan-out costs one small wrapper per socket and no
 * re-encoding. Micronaut writes a {@code WebSocketFrame} given to {@code sendAsync} as is.
 */
final class SessionOutbound implements Outbound {
    private final WebSocketSession session;
    private final Channel channel;
    private final Duration closeGrace;

    /**
     * @param channel the socket's Netty channel when known, used to cut a socket whose close
     *                frame cannot be flushed (a stuck slow consumer); {@code null} to rely on the
     *                close frame alone
     */
    SessionOutbound(final WebSocketSession session, final Channel channel, final Duration closeGrace) {
        this.session = session;
        this.channel = channel;
        this.closeGrace = closeGrace;
    }

    @Override
    public CompletionStage<?> send(final Frame frame) {
        return session.sendAsync(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.utf8())));
    }

    @Override
    public void ping() {
        session.sendPingAsync(new byte[0]);
    }

    @Override
    public void close(final int code, final String reason) {
        session.close(new CloseReason(code, reason));
        if (channel != null) {
            // The close frame queues behind unwritten frames; a client that reads nothing would hold
            // the socket (and its queued bytes) forever without this cut.
            channel.eventLoop().schedule(() -> {
                if (channel.isOpen()) {
                    channel.close();
                }
            }, closeGrace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
