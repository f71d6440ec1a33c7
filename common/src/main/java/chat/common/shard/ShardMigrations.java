package chat.common.shard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the read-model migrations ({@code db/shard/V<n>__<name>.sql}, listed in
 * {@code db/shard/migrations.txt}) to one shard, each in its own transaction, under a
 * PostgreSQL advisory lock so that several services starting at once apply each exactly once.
 *
 * <pre>{@code
 * int applied = ShardMigrations.apply(dataSource);
 * }</pre>
 */
public final class ShardMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMigrations.class);
    private static final long LOCK_KEY = 0x63686174L; // "chat"

    private ShardMigrations() {
    }

    /** The migrations this build knows, in order. */
    public static List<String> known() {
        final List<String> names = new ArrayList<>();
        for (String line : read("db/shard/migrations.txt").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.trim());
            }
        }
        return names;
    }

    /** Applies every migration not yet applied; returns how many were applied now. */
    public static int apply(final DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            }
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                            + " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                }
                int applied = 0;
                final List<String> names = known();
                for (int i = 0; i < names.size(); i++) {
                    final int version = i + 1;
                    final String name = names.get(i);
                    if (!name.startsWith("V" + version + "__")) {
                        throw new IllegalStateException("migration " + name + " is listed at version " + version);
                    }
                    if (isApplied(c, version)) {
                        continue;
                    }
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute(read("db/shard/" + name));
                        try (PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO schema_migrations(version, name) VALUES (?, ?)")) {
                            ps.setInt(1, version);
                            ps.setString(2, name);
                            ps.executeUpdate();
                        }
                        c.commit();
                        applied++;
                        LOG.info("applied read-model migration {} to {}", name, c.getMetaData().getURL());
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    } finally {
                        c.setAutoCommit(true);
                    }
                }
                return applied;
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
                }
            }
        }
    }

    private static boolean isApplied(final Connection c, final int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM schema_migrations WHERE version = ?")) {
            ps.setInt(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String read(final String resource) {
        try (InputStream in = ShardMigrations.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
