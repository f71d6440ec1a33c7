package chat.dev.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server (the redis-server 6.2 binary shipped by codemonstur embedded-redis) running as a child
 * process of this JVM, for the development stack and integration tests. It binds {@code 127.0.0.1} only.
 *
 * <p>Redis is a cache in this platform, so persistence is off: no RDB snapshots ({@code save ""}), no AOF.
 * The binary is written to {@code <dataDir>/bin} and the server's working directory is {@code <dataDir>}, so
 * nothing lands in the current directory or next to a shared binary.
 *
 * <p>redis-server does not die with a JVM killed by {@code kill -9}; {@link #start()} stops such an orphan
 * found through {@code <dataDir>/redis.pid}.
 *
 * <pre>{@code
 * try (EmbeddedRedisServer redis = new EmbeddedRedisServer(Path.of(".devstack/redis"), 0)) {
 *     redis.start();
 *     String uri = redis.uri(); // redis://127.0.0.1:40123
 * }
 * }</pre>
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final String LOOPBACK = ServerProcesses.LOOPBACK;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private enum State { NEW, STARTED, CLOSED }

    private final Path dataDir;
    private final Path binDir;
    private final Path pidFile;
    private final int requestedPort;

    private State state = State.NEW;
    private int port;
    private RedisServer server;
    private ProcessHandle process;

    /**
     * Creates a server that is not started yet.
     *
     * @param dataDir directory owned by this server (binary and working directory); created if missing
     * @param port    TCP port on 127.0.0.1; 0 picks a free port at {@link #start()} (Redis itself would read
     *                port 0 as "no TCP listener")
     */
    public EmbeddedRedisServer(final Path dataDir, final int port) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.requestedPort = ServerProcesses.requirePort(port);
        this.binDir = this.dataDir.resolve("bin");
        this.pidFile = this.dataDir.resolve("redis.pid");
    }

    /**
     * Starts redis-server and returns once it logged that it accepts connections.
     *
     * @throws IllegalStateException if already started or closed, or redis-server did not start
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("EmbeddedRedisServer can be started once, state=" + state + " (dataDir=" + dataDir + ")");
        }
        final long startNanos = System.nanoTime();
        final Path realBinDir;
        try {
            Files.createDirectories(binDir);
            realBinDir = binDir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Redis dirs under " + dataDir, e);
        }
        stopOrphanedServer(realBinDir);
        port = requestedPort != 0 ? requestedPort : ServerProcesses.freeLoopbackPort();
        // The library does not expose its Process, and redis-server rewrites its command line: find our child
        // as the one new process running the binary from binDir.
        final Set<Long> childrenBefore = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
        try {
            server = RedisServer.newRedisServer()
                    .executableProvider(ExecutableProvider.newJarResourceProvider(binDir.toFile()))
                    .bind(LOOPBACK)
                    .port(port)
                    .setting("dir " + quote(dataDir.toString()))
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("daemonize no")
                    // Written even without daemonize; lets the next start find a server orphaned by a killed JVM.
                    .setting("pidfile " + quote(pidFile.toString()))
                    .onShutdownForceStop(false)
                    .build();
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException("Redis failed to start (port=" + port + ", dataDir=" + dataDir + "): "
                    + e.getMessage(), e);
        }
        state = State.STARTED;
        process = ProcessHandle.current().children()
                .filter(child -> !childrenBefore.contains(child.pid()))
                .filter(child -> child.info().command().map(c -> c.startsWith(realBinDir.toString())).orElse(false))
                .findFirst()
                .orElse(null);
        if (process == null) {
            LOG.warn("Started Redis on port {} but could not find its process under {}; close() relies on the library", port, binDir);
        }
        LOG.info("Redis started in {} ms (uri={}, dataDir={}, pid={})", elapsedMillis(startNanos), uri(), dataDir,
                process == null ? "unknown" : process.pid());
    }

    /** {@return the TCP port on 127.0.0.1 (the actual one when 0 was requested)} */
    public synchronized int port() {
        requireStarted();
        return port;
    }

    /** {@return {@code redis://127.0.0.1:<port>}} */
    public String uri() {
        return "redis://" + LOOPBACK + ":" + port();
    }

    /** {@return the PID of the redis-server process, or -1 if it could not be determined} */
    public synchronized long pid() {
        requireStarted();
        return process == null ? -1 : process.pid();
    }

    /**
     * Stops redis-server (SIGTERM, then SIGKILL after 10 s) and waits until the
     * process has exited. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (state != State.STARTED) {
            state = State.CLOSED;
            return;
        }
        state = State.CLOSED;
        final long startNanos = System.nanoTime();
        if (process != null) {
            // Bounded stop of our own: the library's stop() waits for the process without a timeout.
            ServerProcesses.terminate(process, "redis-server on port " + port + " (dataDir=" + dataDir + ")", STOP_TIMEOUT);
        }
        try {
            server.stop(); // returns at once when the process already exited; marks the library instance inactive
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop Redis (port=" + port + ", dataDir=" + dataDir + ")", e);
        }
        LOG.info("Redis stopped in {} ms (port={})", elapsedMillis(startNanos), port);
    }

    @Override
    public String toString() {
        return "EmbeddedRedisServer[port=" + port + ", dataDir=" + dataDir + ", state=" + state + "]";
    }

    private void requireStarted() {
        if (state != State.STARTED) {
            throw new IllegalStateException("EmbeddedRedisServer is not running, state=" + state + " (dataDir=" + dataDir + ")");
        }
    }

    /**
     * redis-server is a child of this JVM but does not die with it: after a {@code kill -9} of the JVM it keeps
     * running (and its port). Its pid file names it; stop it if it still runs our binary. Redis is a cache
     * here, so nothing of value is lost.
     */
    private void stopOrphanedServer(final Path realBinDir) {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        final long orphanPid;
        try {
            orphanPid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Ignoring unreadable Redis pid file {}: {}", pidFile, e.toString());
            return;
        }
        ProcessHandle.of(orphanPid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.startsWith(realBinDir.toString())).orElse(false))
                .ifPresent(orphan -> {
                    LOG.warn("Stopping orphaned redis-server pid {} left on {} by a previous run", orphanPid, dataDir);
                    ServerProcesses.terminate(orphan, "orphaned redis-server of " + dataDir, STOP_TIMEOUT);
                });
    }

    /** Quotes a value for redis.conf (double quotes, backslash escapes). */
    private static String quote(final String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static long elapsedMillis(final long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
