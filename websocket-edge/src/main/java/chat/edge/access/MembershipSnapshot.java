package chat.edge.access;

import java.util.Map;
import java.util.Set;

/**
 * A team's membership as the read model held it at {@code nextOffset}: every event of the team's
 * partition below it is reflected, none at or above it.
 *
 * @param nextOffset      the shard's {@code projection_checkpoint.next_offset} of the partition (0 when absent)
 * @param teamMembers     users of {@code team_members}
 * @param publicChannels  ids of the team's public channels
 * @param privateChannels private channel id -> its members
 */
public record MembershipSnapshot(long nextOffset, Set<String> teamMembers, Set<String> publicChannels,
                                 Map<String, Set<String>> privateChannels) {
}
