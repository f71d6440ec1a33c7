package chat.dev.it;

import chat.dev.DevStack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Direct reads of the shard databases, to check what the projector wrote. */
final class Shards {
    record Row(int shard, String teamId, String channelId, String messageId, String text, int partition, long offset) {
    }

    private Shards() {
    }

    static Connection open(final DevStack stack, final String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, stack.postgres().user(), stack.postgres().password());
    }

    /** Every message row whose team id starts with {@code teamPrefix}, from every shard URL given. */
    static List<Row> messages(final DevStack stack, final List<String> shardUrls, final String teamPrefix) throws SQLException {
        final List<Row> rows = new ArrayList<>();
        for (int s = 0; s < shardUrls.size(); s++) {
            try (Connection c = open(stack, shardUrls.get(s));
                 PreparedStatement ps = c.prepareStatement("SELECT team_id, channel_id, message_id, text, log_partition, log_offset"
                         + " FROM messages WHERE team_id LIKE ? ORDER BY team_id, log_offset")) {
                ps.setString(1, teamPrefix + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(s, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getInt(5), rs.getLong(6)));
                    }
                }
            }
        }
        return rows;
    }

    /** partition -> next_offset of every shard's checkpoint table. */
    static Map<Integer, Long> checkpoints(final DevStack stack, final List<String> shardUrls) throws SQLException {
        final Map<Integer, Long> out = new HashMap<>();
        for (String url : shardUrls) {
            try (Connection c = open(stack, url);
                 PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM projection_checkpoint");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }
}
