package chat.projector.sink;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads every row of a shard into a {@link ReadModel}, sorted like the in-memory sink (Java string order). */
public final class JdbcReadModel {
    private JdbcReadModel() {
    }

    public static ReadModel read(final DataSource ds) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            final List<ReadModel.Team> teams = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM teams")) {
                while (rs.next()) {
                    teams.add(new ReadModel.Team(rs.getString("team_id"), rs.getString("name"),
                            rs.getString("created_by"), time(rs, "created_at"), rs.getLong("last_offset")));
                }
            }
            final List<ReadModel.TeamMember> teamMembers = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM team_members")) {
                while (rs.next()) {
                    teamMembers.add(new ReadModel.TeamMember(rs.getString("team_id"), rs.getString("user_id"),
                            rs.getString("role"), time(rs, "joined_at"), rs.getLong("last_offset")));
                }
            }
            final List<ReadModel.Channel> channels = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM channels")) {
                while (rs.next()) {
                    channels.add(new ReadModel.Channel(rs.getString("team_id"), rs.getString("channel_id"),
                            rs.getString("name"), rs.getBoolean("private"), rs.getString("topic"),
                            rs.getString("created_by"), time(rs, "created_at"), time(rs, "archived_at"),
                            rs.getLong("last_offset")));
                }
            }
            final List<ReadModel.ChannelMember> channelMembers = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM channel_members")) {
                while (rs.next()) {
                    channelMembers.add(new ReadModel.ChannelMember(rs.getString("team_id"), rs.getString("channel_id"),
                            rs.getString("user_id"), rs.getString("invited_by"), time(rs, "joined_at"),
                            rs.getLong("last_offset")));
                }
            }
            final List<ReadModel.Message> messages = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM messages")) {
                while (rs.next()) {
                    messages.add(new ReadModel.Message(rs.getString("team_id"), rs.getString("channel_id"),
                            rs.getString("message_id"), rs.getString("author_id"), rs.getString("text"),
                            rs.getString("thread_root_id"), rs.getString("client_message_id"), time(rs, "created_at"),
                            time(rs, "edited_at"), time(rs, "deleted_at"), rs.getInt("log_partition"),
                            rs.getLong("log_offset"), rs.getLong("last_offset"), rs.getInt("reply_count"),
                            time(rs, "last_reply_at")));
                }
            }
            final List<ReadModel.Reaction> reactions = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM reactions")) {
                while (rs.next()) {
                    reactions.add(new ReadModel.Reaction(rs.getString("team_id"), rs.getString("message_id"),
                            rs.getString("user_id"), rs.getString("emoji"), rs.getString("channel_id"),
                            time(rs, "reacted_at"), rs.getLong("last_offset")));
                }
            }
            final List<ReadModel.ReadMarker> readMarkers = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM read_markers")) {
                while (rs.next()) {
                    readMarkers.add(new ReadModel.ReadMarker(rs.getString("team_id"), rs.getString("channel_id"),
                            rs.getString("user_id"), rs.getString("message_id"), rs.getLong("message_offset"),
                            time(rs, "read_at"), rs.getLong("last_offset")));
                }
            }
            final Map<Integer, Long> checkpoints = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT partition, next_offset FROM projection_checkpoint")) {
                while (rs.next()) {
                    checkpoints.put(rs.getInt(1), rs.getLong(2));
                }
            }
            teams.sort(Comparator.comparing(ReadModel.Team::teamId));
            teamMembers.sort(Comparator.comparing(ReadModel.TeamMember::teamId).thenComparing(ReadModel.TeamMember::userId));
            channels.sort(Comparator.comparing(ReadModel.Channel::teamId).thenComparing(ReadModel.Channel::channelId));
            channelMembers.sort(Comparator.comparing(ReadModel.ChannelMember::teamId)
                    .thenComparing(ReadModel.ChannelMember::channelId).thenComparing(ReadModel.ChannelMember::userId));
            messages.sort(Comparator.comparing(ReadModel.Message::teamId).thenComparing(ReadModel.Message::messageId));
            reactions.sort(Comparator.comparing(ReadModel.Reaction::teamId).thenComparing(ReadModel.Reaction::messageId)
                    .thenComparing(ReadModel.Reaction::emoji).thenComparing(ReadModel.Reaction::userId));
            readMarkers.sort(Comparator.comparing(ReadModel.ReadMarker::teamId)
                    .thenComparing(ReadModel.ReadMarker::channelId).thenComparing(ReadModel.ReadMarker::userId));
            return new ReadModel(teams, teamMembers, channels, channelMembers, messages, reactions, readMarkers,
                    checkpoints);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the read model", e);
        }
    }

    private static Instant time(final ResultSet rs, final String column) throws SQLException {
        final OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
