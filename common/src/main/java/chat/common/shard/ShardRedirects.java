package chat.common.shard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The blue/green cut-over of one shard, kept in the shard databases themselves so that every
 * service (projector, edge, ingest) finds it without new infrastructure:
 * <ol>
 *   <li><b>fence</b> the old database: a statement trigger on {@code projection_checkpoint} makes
 *       every projection write transaction fail with SQLSTATE {@code 40001} (transient: the
 *       projector's sink retries it). Creating the trigger waits for in-flight writes, so after
 *       {@link #fence} returns the old database's checkpoints are final. Reads keep working.</li>
 *   <li>the rebuild catches the new database up to at least those checkpoints;</li>
 *   <li><b>publish</b> a versioned redirect row in the old database ({@code shard_redirect});
 *       services poll it ({@link ShardRedirectFollower}) and {@link ShardDataSources#reroute} the
 *       shard. Retried writes then land in the new database, whose checkpoint is at least the
 *       writer's position, so nothing is skipped and nothing is applied twice.</li>
 * </ol>
 * A redirect chain (old -> g2 -> g3) is followed one hop per poll.
 *
 * <pre>{@code
 * try (Connection old = oldShard.getConnection()) {
 *     ShardRedirects.fence(old);
 *     // ... catch the new database up ...
 *     ShardRedirects.publish(old, newUrl);
 * }
 * }</pre>
 */
public final class ShardRedirects {
    /** SQLSTATE the fence raises: serialization_failure, which writers treat as transient. */
    public static final String FENCE_SQLSTATE = "40001";
    /** The start of the message a fenced database answers a projection write with. */
    public static final String FENCE_MESSAGE = "this shard database is retired";
    private static final String TRIGGER = "chat_shard_retired";

    private ShardRedirects() {
    }

    /** A published redirect: the shard now lives at {@code targetUrl}. */
    public record Redirect(int version, String targetUrl) {
    }

    /** The newest redirect published in this database, if any. */
    public static Optional<Redirect> read(final Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('public.shard_redirect') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, target_url FROM shard_redirect ORDER BY version DESC LIMIT 1")) {
            return rs.next() ? Optional.of(new Redirect(rs.getInt(1), rs.getString(2))) : Optional.empty();
        }
    }

    /** True when projection writes to this database are fenced off. */
    public static boolean isFenced(final Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_trigger WHERE tgname = ? AND NOT tgisinternal")) {
            ps.setString(1, TRIGGER);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Fences projection writes off this database (idempotent). Returns once every write
     * transaction that started before has finished; none can commit afterwards.
     */
    public static void fence(final Connection c) throws SQLException {
        final boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE FUNCTION " + TRIGGER + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " RAISE EXCEPTION '" + FENCE_MESSAGE + " (cut-over by chatctl);"
                    + " writes go to its successor, see table shard_redirect or shard_map_switch' USING ERRCODE = '" + FENCE_SQLSTATE + "';"
                    + " END $$");
            // LOCK waits for in-flight writers (they hold ROW EXCLUSIVE on the table).
            st.execute("LOCK TABLE projection_checkpoint IN SHARE ROW EXCLUSIVE MODE");
            st.execute("DROP TRIGGER IF EXISTS " + TRIGGER + " ON projection_checkpoint");
            st.execute("CREATE TRIGGER " + TRIGGER + " BEFORE INSERT OR UPDATE OR DELETE ON projection_checkpoint"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION " + TRIGGER + "()");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Lifts the fence (aborting a cut-over before {@link #publish}). */
    public static void unfence(final Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS " + TRIGGER + " ON projection_checkpoint");
        }
    }

    /** Publishes the redirect to {@code targetUrl} with the next version; returns that version. */
    public static int publish(final Connection c, final String targetUrl) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS shard_redirect (version integer PRIMARY KEY, target_url text NOT NULL,"
                    + " created_at timestamptz NOT NULL DEFAULT now())");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO shard_redirect (version, target_url)"
                + " SELECT coalesce(max(version), 0) + 1, ? FROM shard_redirect RETURNING version")) {
            ps.setString(1, targetUrl);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
