package chat.dev.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads resource use from Linux /proc: a process's CPU time ({@code /proc/<pid>/stat} utime+stime),
 * RSS ({@code /proc/<pid>/status} VmRSS/VmHWM), the machine's busy time ({@code /proc/stat}), and a
 * JVM's heap through {@code jcmd <pid> GC.heap_info}. Every method returns -1 when it cannot read.
 */
final class ProcessProbe {
    private static final Pattern HEAP = Pattern.compile("committed (\\d+)K, used (\\d+)K");
    private static final long CLK_TCK = clockTicks();

    private ProcessProbe() {
    }

    /** CPU time (user + system) of {@code pid} in nanoseconds. */
    static long cpuNanos(final long pid) {
        try {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime is field 14, stime field 15
            final long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * (1_000_000_000L / CLK_TCK);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A field of {@code /proc/<pid>/status} in KiB, e.g. VmRSS or VmHWM. */
    static long statusKiB(final long pid, final String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    static boolean alive(final long pid) {
        return Files.exists(Path.of("/proc/" + pid + "/stat"));
    }

    /** {used, committed} heap in KiB of the JVM {@code pid}, via jcmd; null when unavailable. */
    /** Heap used/committed KiB of JVM {@code pid} right after two full collections ({@code jcmd GC.run}), or null. */
    static long[] heapAfterGcKiB(final long pid) {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            for (int i = 0; i < 2; i++) {
                final Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return jvmHeapKiB(pid);
    }

    static long[] jvmHeapKiB(final long pid) {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return null;
        }
        try {
            final Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info")
                    .redirectErrorStream(true).start();
            final byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            final Matcher m = HEAP.matcher(new String(out, StandardCharsets.UTF_8));
            return m.find() ? new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))} : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {busy, total} jiffies of the whole machine from /proc/stat. */
    static long[] machineJiffies() {
        try {
            final String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            final String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            final long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * CPU time in nanoseconds of every process on the machine, keyed by pid, as
     * {@code label -> nanos} where the label names the program (java processes by what they run).
     */
    static java.util.Map<Long, java.util.Map.Entry<String, Long>> allProcesses() {
        final java.util.Map<Long, java.util.Map.Entry<String, Long>> out = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.forEach(dir -> {
                final String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    return;
                }
                try {
                    final long pid = Long.parseLong(name);
                    final String stat = Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII);
                    final String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    final long nanos = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / CLK_TCK);
                    out.put(pid, java.util.Map.entry(label(dir, comm), nanos));
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            });
        } catch (IOException e) {
            // no /proc
        }
        return out;
    }

    private static String label(final Path dir, final String comm) throws IOException {
        if (comm.startsWith("postgres")) {
            return "postgres";
        }
        if (!comm.equals("java")) {
            return comm;
        }
        final String cmd = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        if (cmd.contains("surefire") || cmd.contains("failsafe")) {
            return "java(tests)";
        }
        if (cmd.contains("plexus-classworlds")) {
            return "java(maven)";
        }
        if (cmd.contains("chat.dev.DevStackMain")) {
            return "java(another dev stack)";
        }
        if (cmd.contains("chat.dev.bench.BenchMain")) {
            return "java(another bench)";
        }
        return "java(other)";
    }

    /** {irq+softirq, total} jiffies of the machine: kernel interrupt work not charged to any process. */
    static long[] machineIrqJiffies() {
        try {
            final String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            final String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {Long.parseLong(f[6]) + Long.parseLong(f[7]), total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This JVM's CPU time in nanoseconds. */
    static long ownCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return cpuNanos(ProcessHandle.current().pid());
    }

    private static long clockTicks() {
        try {
            final Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            final long v = Long.parseLong(out);
            return v > 0 ? v : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
