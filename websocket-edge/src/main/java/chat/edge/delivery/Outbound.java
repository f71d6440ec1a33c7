package chat.edge.delivery;

import chat.edge.protocol.Frame;

import java.util.concurrent.CompletionStage;

/**
 * The socket side of a {@link Connection}: the WebSocket session in production, a fake in tests.
 * Implementations must not block.
 */
public interface Outbound {
    /**
     * Hands one frame to the transport. The stage completes when the frame was written (or failed);
     * frames handed over by one thread are written in that order.
     *
     * @throws RuntimeException when the socket is already closed
     */
    CompletionStage<?> send(Frame frame);

    /** Sends a WebSocket ping (the client's pong proves it alive); does nothing where not supported. */
    default void ping() {
    }

    /** Sends a close frame with {@code code} and closes the socket (cut after a grace if it cannot flush). */
    void close(int code, String reason);
}
