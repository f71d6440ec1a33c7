package chat.dev.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Process and port helpers shared by the embedded servers of this package. */
final class ServerProcesses {

    static final String LOOPBACK = "127.0.0.1";
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcesses.class);
    private static final Duration EXIT_POLL_INTERVAL = Duration.ofMillis(20);

    private ServerProcesses() {
    }

    /**
     * {@return whether the process is alive and not a zombie} A server that is not our child (the postmaster,
     * which pg_ctl detaches, or any server orphaned by a killed JVM) is reaped by init once it exits, which on
     * some machines (containers, micro-VMs) happens only every second or two; a zombie holds no port, file or
     * shared memory, so it counts as stopped. Outside Linux this is {@link ProcessHandle#isAlive()}.
     *
     * @param process the process to check
     */
    static boolean isRunning(final ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            final char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return process.isAlive();
        }
    }

    /**
     * Waits until {@link #isRunning} is false, polling: {@code onExit()} of a process that is not our child
     * polls with growing delays and adds seconds to every stop.
     *
     * @param process the process to wait for
     * @param timeout the longest wait
     * @return true if the process stopped within the timeout
     */
    static boolean awaitExit(final ProcessHandle process, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(process)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(EXIT_POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for pid " + process.pid() + " to exit", e);
            }
        }
        return true;
    }

    /**
     * Stops a process: SIGTERM, then after {@code timeout} SIGKILL to it and its descendants.
     *
     * @param process the process to stop
     * @param what    description for log and exception messages (which server, which directory)
     * @param timeout the longest wait after each signal
     * @throws IllegalStateException if the process survives SIGKILL for {@code timeout}
     */
    static void terminate(final ProcessHandle process, final String what, final Duration timeout) {
        process.destroy();
        if (awaitExit(process, timeout)) {
            return;
        }
        LOG.warn("{} (pid {}) ignored SIGTERM for {} ms; killing it and its children", what, process.pid(), timeout.toMillis());
        final List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(process, timeout)) {
            throw new IllegalStateException(what + " (pid " + process.pid() + ") survived SIGKILL for "
                    + timeout.toMillis() + " ms");
        }
    }

    /**
     * {@return a TCP port on 127.0.0.1 that was free a moment ago} Another process may take it before the
     * caller binds it; the window is short enough for a development stack.
     *
     * @param excluded ports not to return (e.g. one already chosen for another listener)
     */
    static int freeLoopbackPort(final int... excluded) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
                final int port = socket.getLocalPort();
                if (Arrays.stream(excluded).noneMatch(p -> p == port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
            }
        }
        throw new IllegalStateException("cannot find a free port on " + LOOPBACK + " after 10 attempts");
    }

    /** Returns {@code port} when it is 0 (pick a free one) or a valid TCP port. */
    static int requirePort(final int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        return port;
    }
}
