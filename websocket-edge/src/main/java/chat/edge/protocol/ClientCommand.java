package chat.edge.protocol;

/**
 * What a client may ask of the edge. Every command may carry a client-chosen {@code id} that the
 * edge echoes in its reply ({@code null} when absent).
 *
 * <pre>{@code
 * switch (CommandParser.parse(text)) {
 *     case ClientCommand.Subscribe s -> ...
 *     case ClientCommand.Unsubscribe u -> ...
 * }
 * }</pre>
 */
public sealed interface ClientCommand {
    /** The client's correlation id, echoed in the reply, or {@code null}. */
    String id();

    /**
     * {@code {"op":"subscribe","teamId":"t1"}}: receive the team's events from now on; with
     * {@code "since":{"epoch":"..","partition":3,"offset":41}} first every event of the team after
     * that position (resume).
     *
     * @param since the last position the client saw, or {@code null} for "from now on"
     */
    record Subscribe(String teamId, Since since, String id) implements ClientCommand {
        public Subscribe(final String teamId, final String id) {
            this(teamId, null, id);
        }
    }

    /**
     * {@code {"op":"ping"}}: an application-level heartbeat (for clients that cannot send WebSocket
     * pings); answered with {@code {"type":"pong"}}. Any frame from the client keeps it alive.
     */
    record Ping(String id) implements ClientCommand {
    }

    /**
     * {@code {"op":"typing","teamId":"t1","channelId":"c1"}}: the user is typing in the channel; the
     * channel's members subscribed to the team get {@code {"type":"typing",...}} (never logged).
     */
    record Typing(String teamId, String channelId, String id) implements ClientCommand {
    }

    /**
     * {@code {"op":"presence","state":"away"}}: the connection's own presence state
     * ({@code online} or {@code away}) in every team it is subscribed to, now and later.
     */
    record SetPresence(String state, String id) implements ClientCommand {
    }

    /** {@code {"op":"unsubscribe","teamId":"t1"}}: stop receiving the team's events. */
    record Unsubscribe(String teamId, String id) implements ClientCommand {
    }

    /**
     * A resume position: the client has seen every event of the team up to and including
     * {@code offset} of {@code partition} in {@code epoch}. {@code offset} -1 means "nothing yet"
     * (every event of the partition).
     */
    record Since(String epoch, int partition, long offset) {
    }
}
