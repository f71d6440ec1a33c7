package chat.dev.it;

import chat.dev.DevStack;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The one embedded stack of this test JVM: started on first use, stopped when the JUnit
 * launcher session closes ({@link StackSessionListener}). Every port is picked free.
 */
public final class TestStack {
    /** The per-team write limit of the test stack (writes per second, burst). */
    static final int TEAM_PER_SECOND = 20;
    static final int TEAM_BURST = 60;
    private static DevStack stack;

    private TestStack() {
    }

    /** The running stack, starting it on first call. */
    public static synchronized DevStack get() {
        if (stack == null) {
            reapLeftovers(Path.of("target", "it-stack"));
            stack = DevStack.start(DevStack.Options.defaults()
                    // One directory per test JVM: concurrent test runs on one machine never share servers' data.
                    .withDataDir(Path.of("target", "it-stack", Long.toString(ProcessHandle.current().pid())))
                    .withFresh(true)
                    .withPorts(0, 0, 0, 0)
                    .withProperties(Map.of("chat.projector.commit-interval-ms", 100,
                            // Tests post as few users: limit by team instead (every test team stays under it).
                            "chat.ingest.rate-limit.user-per-second", 5000,
                            "chat.ingest.rate-limit.user-burst", 10000,
                            "chat.ingest.rate-limit.team-per-second", TEAM_PER_SECOND,
                            "chat.ingest.rate-limit.team-burst", TEAM_BURST)));
        }
        return stack;
    }

    /**
     * Properties of a second ingest-only service next to {@code stack} (its own HTTP port, the
     * stack's Kafka, shards and Redis; no projector, no edge; no JWT settings: add
     * {@code stack.authProperties()} to accept the stack's tokens). Callers override what they test.
     */
    public static Map<String, Object> ingestOnly(final DevStack stack) {
        final Map<String, Object> props = new java.util.HashMap<>();
        props.put("micronaut.server.port", 0);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("chat.kafka.bootstrap-servers", stack.bootstrapServers());
        props.put("chat.shards.jdbc-urls", String.join(",", stack.shardJdbcUrls()));
        props.put("chat.shards.user", stack.postgres().user());
        props.put("chat.projector.enabled", false);
        props.put("chat.edge.enabled", false);
        props.put("redis.uri", stack.redis().uri());
        return props;
    }

    /**
     * A test JVM that died (crash, SIGKILL) leaves its stack's PostgreSQL and Redis running: stop
     * the servers of every stack directory whose JVM is gone (by the PIDs the servers wrote), then
     * delete the directory.
     */
    private static void reapLeftovers(final Path root) {
        if (!java.nio.file.Files.isDirectory(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(root)) {
            for (Path dir : dirs.toList()) {
                final String name = dir.getFileName().toString();
                if (!name.matches("\\d+") || ProcessHandle.of(Long.parseLong(name)).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                for (Path pidFile : List.of(dir.resolve("redis/redis.pid"), dir.resolve("postgres/pgdata/postmaster.pid"))) {
                    try {
                        final String first = java.nio.file.Files.readAllLines(pidFile).get(0).trim();
                        ProcessHandle.of(Long.parseLong(first)).ifPresent(ProcessHandle::destroyForcibly);
                    } catch (java.io.IOException | RuntimeException e) {
                        // no such server left
                    }
                }
                deleteQuietly(dir);
            }
        } catch (java.io.IOException e) {
            System.err.println("could not reap old test stacks under " + root + ": " + e);
        }
    }

    private static void deleteQuietly(final Path dir) {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /** Stops the stack if it was started. */
    static synchronized void stop() {
        if (stack != null) {
            final Path dir = stack.options().dataDir();
            stack.close();
            stack = null;
            deleteQuietly(dir);
        }
    }
}
