package chat.projector.sink;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Every row of one shard's read model, each list sorted by primary key: what the contract suite
 * compares between sinks. Field names follow the SQL columns of {@code V1__read_model.sql} and
 * {@code V2__reactions_reads_threads.sql}.
 *
 * <pre>{@code
 * ReadModel rows = inMemorySink.snapshot(0);
 * }</pre>
 */
public record ReadModel(List<Team> teams, List<TeamMember> teamMembers, List<Channel> channels,
                        List<ChannelMember> channelMembers, List<Message> messages, List<Reaction> reactions,
                        List<ReadMarker> readMarkers, Map<Integer, Long> checkpoints) {
    public ReadModel {
        teams = List.copyOf(teams);
        teamMembers = List.copyOf(teamMembers);
        channels = List.copyOf(channels);
        channelMembers = List.copyOf(channelMembers);
        messages = List.copyOf(messages);
        reactions = List.copyOf(reactions);
        readMarkers = List.copyOf(readMarkers);
        checkpoints = Map.copyOf(checkpoints);
    }

    /** Row of {@code teams}. */
    public record Team(String teamId, String name, String createdBy, Instant createdAt, long lastOffset) {
    }

    /** Row of {@code team_members}. */
    public record TeamMember(String teamId, String userId, String role, Instant joinedAt, long lastOffset) {
    }

    /** Row of {@code channels}. */
    public record Channel(String teamId, String channelId, String name, boolean privateChannel, String topic,
                          String createdBy, Instant createdAt, Instant archivedAt, long lastOffset) {
    }

    /** Row of {@code channel_members}. */
    public record ChannelMember(String teamId, String channelId, String userId, String invitedBy, Instant joinedAt,
                                long lastOffset) {
    }

    /** Row of {@code messages} (replyCount/lastReplyAt: the thread summary of a root, else 0/null). */
    public record Message(String teamId, String channelId, String messageId, String authorId, String text,
                          String threadRootId, String clientMessageId, Instant createdAt, Instant editedAt,
                          Instant deletedAt, int logPartition, long logOffset, long lastOffset, int replyCount,
                          Instant lastReplyAt) {
    }

    /** Row of {@code reactions}; sorted by (teamId, messageId, emoji, userId) like its primary key. */
    public record Reaction(String teamId, String messageId, String userId, String emoji, String channelId,
                           Instant reactedAt, long lastOffset) {
    }

    /** Row of {@code read_markers}. */
    public record ReadMarker(String teamId, String channelId, String userId, String messageId, long messageOffset,
                             Instant readAt, long lastOffset) {
    }
}
