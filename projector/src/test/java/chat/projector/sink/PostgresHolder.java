package chat.projector.sink;

import chat.common.shard.ShardMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * One embedded PostgreSQL per test JVM, started on first use, with two migrated shard databases.
 * TEMPORARY: replace with chat.dev.embedded.EmbeddedPostgresServer once module chat:embedded is
 * installed.
 */
public final class PostgresHolder {
    static final List<String> SHARDS = List.of("projector_shard0", "projector_shard1");
    private static EmbeddedPostgres postgres;

    private PostgresHolder() {
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                final File base = new File(System.getProperty("java.io.tmpdir"), "chat-projector-it-pg");
                postgres = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(new File(base, "unpack"))
                        .setDataDirectory(new File(base, "data-" + ProcessHandle.current().pid()))
                        .setCleanDataDirectory(true)
                        .start();
                for (String db : SHARDS) {
                    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + db);
                    }
                    ShardMigrations.apply(shard(SHARDS.indexOf(db)));
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot prepare the shard databases", e);
            }
        }
        return postgres;
    }

    public static DataSource shard(final int shard) {
        return postgres().getDatabase("postgres", SHARDS.get(shard));
    }

    public static DataSource database(final String name) {
        return postgres().getDatabase("postgres", name);
    }

    /** Empties every read-model table of every shard. */
    public static void truncateAll() {
        for (int s = 0; s < SHARDS.size(); s++) {
            try (Connection c = shard(s).getConnection(); Statement st = c.createStatement()) {
                st.execute("TRUNCATE projection_checkpoint, teams, team_members, channels, channel_members, messages,"
                        + " reactions, read_markers");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot truncate shard " + s, e);
            }
        }
    }
}
