package chat.common.shard;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The live cut-over of a reshard ({@code chatctl reshard}), kept like {@link ShardRedirects} in the
 * shard databases themselves: once the new databases hold exactly what the old ones hold (old shards
 * fenced, checkpoints equal, content verified), chatctl publishes the new map and its JDBC URLs as a
 * versioned row of {@code shard_map_switch} in EVERY old shard. Each service's
 * {@link ShardRedirectFollower} finds it on its next poll and {@link ShardDataSources#switchMap
 * switches} its whole routing (map + pools) in one step; a service started later with the old
 * configuration follows it the same way. A chain (v1 -> v2 -> v3) is followed one hop per poll.
 *
 * <p>Publishing is idempotent per version (a rerun after a crash completes it); a different
 * document under a version that exists is refused.
 *
 * <pre>{@code
 * try (Connection old = oldShard.getConnection()) {
 *     ShardMapSwitch.publish(old, new ShardMapSwitch.Switch(nextMap, newUrls));
 * }
 * }</pre>
 */
public final class ShardMapSwitch {
    static final String TABLE = "shard_map_switch";

    private ShardMapSwitch() {
    }

    /** A published switch: from now on the read models live in {@code jdbcUrls} under {@code map}. */
    public record Switch(ShardMap map, List<String> jdbcUrls) {
        public Switch {
            Objects.requireNonNull(map, "map");
            jdbcUrls = List.copyOf(jdbcUrls);
            if (jdbcUrls.size() != map.shards()) {
                throw new IllegalArgumentException("shard map v" + map.version() + " has " + map.shards()
                        + " shards but the switch lists " + jdbcUrls.size() + " JDBC URLs");
            }
            if (jdbcUrls.stream().anyMatch(u -> u == null || u.isBlank())) {
                throw new IllegalArgumentException("a switch needs a JDBC URL for every shard: " + jdbcUrls);
            }
            if (jdbcUrls.stream().distinct().count() != jdbcUrls.size()) {
                throw new IllegalArgumentException("two shards of the switch share a database: " + jdbcUrls);
            }
        }

        public int version() {
            return map.version();
        }
    }

    /** The newest switch published in this database, if any. */
    public static Optional<Switch> read(final Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('public." + TABLE + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT map_json, jdbc_urls FROM " + TABLE + " ORDER BY version DESC LIMIT 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Switch(ShardMap.parse(rs.getString(1)), urls(rs.getArray(2))));
        }
    }

    /**
     * Publishes {@code sw} in this (old, fenced) database. Idempotent: publishing the same switch
     * again changes nothing.
     *
     * @throws IllegalStateException when another switch was already published under the same version
     */
    public static void publish(final Connection c, final Switch sw) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (version integer PRIMARY KEY, map_json text NOT NULL,"
                    + " jdbc_urls text[] NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (version, map_json, jdbc_urls)"
                + " VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING")) {
            ps.setInt(1, sw.version());
            ps.setString(2, sw.map().toJson());
            ps.setArray(3, c.createArrayOf("text", sw.jdbcUrls().toArray()));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT map_json, jdbc_urls FROM " + TABLE + " WHERE version = ?")) {
            ps.setInt(1, sw.version());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                final Switch stored = new Switch(ShardMap.parse(rs.getString(1)), urls(rs.getArray(2)));
                if (!stored.equals(sw)) {
                    throw new IllegalStateException("map v" + sw.version() + " was already published differently in "
                            + c.getMetaData().getURL() + ": " + stored + " (now " + sw + ")");
                }
            }
        }
    }

    private static List<String> urls(final Array array) throws SQLException {
        return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }
}
