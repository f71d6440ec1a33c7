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

    /** {@code {"op":"subscribe","teamId":"t1"}}: receive the team's events from now on. */
    record Subscribe(String teamId, String id) implements ClientCommand {
    }

    /** {@code {"op":"unsubscribe","teamId":"t1"}}: stop receiving the team's events. */
    record Unsubscribe(String teamId, String id) implements ClientCommand {
    }
}
