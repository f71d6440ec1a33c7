package chat.edge.delivery;

import chat.edge.protocol.Frame;

/**
 * The socket side of a {@link Connection}: the WebSocket session in production, a fake in tests.
 * Implementations must not block.
 */
public interface Outbound {
    /**
     * The outcome of one {@link #send}: called once with the frame sent and {@code null} when it was
     * written, or the failure. One instance may serve every frame of a socket.
     */
    @FunctionalInterface
    interface Written {
        void written(Frame frame, Throwable failure);
    }

    /**
     * Hands one frame to the transport; {@code done} is called once when the frame was written (or
     * failed), on a transport thread. Frames handed over by one thread are written in that order.
     *
     * @throws RuntimeException when the socket is already closed
     */
    void send(Frame frame, Written done);

    /** Sends a WebSocket ping (the client's pong proves it alive); does nothing where not supported. */
    default void ping() {
    }

    /** Sends a close frame with {@code code} and closes the socket (cut after a grace if it cannot flush). */
    void close(int code, String reason);

    /** True while the socket is open (a close frame handed to {@link #close} may still be unwritten). */
    default boolean isOpen() {
        return false;
    }
}
