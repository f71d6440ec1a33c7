package chat.ctl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Secondary indexes a replay into a FRESH database builds once at the end instead of maintaining
 * them row by row: {@code messages_by_channel} is read only by the read API (history pages), never
 * by the projector's statements (they use the primary keys and {@code messages_by_thread}, which
 * therefore stays). Building it once with a sort is far cheaper than updating it for each of a
 * million inserts.
 *
 * <p>Crash safe: the definition is saved in the target ({@code chatctl_deferred_index}) in the same
 * transaction that drops the index, and {@link #restore} (idempotent) recreates what is listed, so
 * a rerun after a SIGKILL restores it at the same point of its run. Every command that defers
 * restores before the database can serve or be compared by a user: the rebuild and the reshard
 * before the fence, the region bootstrap before its comparison, the benchmark inside its timing.
 *
 * <pre>{@code
 * DeferredIndexes.defer(freshTarget);    // right after the migrations
 * ... replay ...
 * DeferredIndexes.restore(freshTarget);  // before the database goes live
 * }</pre>
 */
final class DeferredIndexes {
    /** Indexes no statement of the projector's sink needs. */
    static final List<String> DEFERRED = List.of("messages_by_channel");
    static final String TABLE = "chatctl_deferred_index";

    private DeferredIndexes() {
    }

    /** Drops the deferred indexes of a freshly migrated database, remembering their definitions; returns how many. */
    static int defer(final Connection c) throws SQLException {
        final boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        int n = 0;
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (name text PRIMARY KEY, definition text NOT NULL)");
            for (String name : DEFERRED) {
                final String def = definition(c, name);
                if (def == null) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (name, definition) VALUES (?, ?)"
                        + " ON CONFLICT (name) DO NOTHING")) {
                    ps.setString(1, name);
                    ps.setString(2, def);
                    ps.executeUpdate();
                }
                st.execute("DROP INDEX " + name);
                n++;
            }
            c.commit();
            return n;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Recreates every index {@link #defer} dropped (none: no-op); returns how many were built now. */
    static int restore(final Connection c) throws SQLException {
        final Map<String, String> pending = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet exists = st.executeQuery("SELECT to_regclass('public." + TABLE + "') IS NOT NULL")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return 0;
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name, definition FROM " + TABLE)) {
            while (rs.next()) {
                pending.put(rs.getString(1), rs.getString(2));
            }
        }
        final boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        int built = 0;
        try (Statement st = c.createStatement()) {
            for (Map.Entry<String, String> e : pending.entrySet()) {
                if (definition(c, e.getKey()) == null) {
                    st.execute(e.getValue());
                    built++;
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE name = ?")) {
                    ps.setString(1, e.getKey());
                    ps.executeUpdate();
                }
            }
            st.execute("DROP TABLE " + TABLE);
            c.commit();
            return built;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String definition(final Connection c, final String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = ?")) {
            ps.setString(1, index);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
