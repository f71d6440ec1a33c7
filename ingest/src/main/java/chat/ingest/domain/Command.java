package chat.ingest.domain;

/**
 * Everything a user can ask the write side to do. Commands are imperative; the events they
 * produce are past tense. Ids are validated at the edge (HTTP) before a command is built.
 */
public sealed interface Command {
    /** Who asks. */
    String actorId();

    /** The team the command addresses (the Kafka key of its events). */
    String teamId();

    /** The user the command is about besides the actor, or {@code null}. */
    default String targetId() {
        return null;
    }

    record CreateTeam(String actorId, String teamId, String name) implements Command {
    }

    record AddTeamMember(String actorId, String teamId, String userId, Role role) implements Command {
        @Override
        public String targetId() {
            return userId;
        }
    }

    record RemoveTeamMember(String actorId, String teamId, String userId) implements Command {
        @Override
        public String targetId() {
            return userId;
        }
    }

    record CreateChannel(String actorId, String teamId, String channelId, String name, boolean privateChannel,
                         String topic) implements Command {
    }

    record ChangeChannelTopic(String actorId, String teamId, String channelId, String topic) implements Command {
    }

    record ArchiveChannel(String actorId, String teamId, String channelId) implements Command {
    }

    record JoinChannel(String actorId, String teamId, String channelId) implements Command {
    }

    record InviteToChannel(String actorId, String teamId, String channelId, String userId) implements Command {
        @Override
        public String targetId() {
            return userId;
        }
    }

    record LeaveChannel(String actorId, String teamId, String channelId) implements Command {
    }

    record PostMessage(String actorId, String teamId, String channelId, String messageId, String text,
                       String threadRootId, String clientMessageId) implements Command {
    }

    record EditMessage(String actorId, String teamId, String channelId, String messageId, String text) implements Command {
    }

    record DeleteMessage(String actorId, String teamId, String channelId, String messageId) implements Command {
    }

    record AddReaction(String actorId, String teamId, String channelId, String messageId, String emoji) implements Command {
    }

    record RemoveReaction(String actorId, String teamId, String channelId, String messageId, String emoji) implements Command {
    }

    record MarkRead(String actorId, String teamId, String channelId, String messageId) implements Command {
    }
}
