package chat.dev.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./chat bench capacity}: issue 4's figure 2 in one command. Each round starts the servers one after the
 * other, each in its own JVM on loopback: the in-memory floor ({@code bench forwarder}), the log floor
 * ({@code bench forwarder --log}) and a fresh stack ({@code chat.dev.DevStackMain --fresh}). Each gets the same
 * warm-up (150 msg/s over 10 teams, then 400 msg/s, which compiles the paths only high rates take, then 100 msg/s
 * to one team) and then the find-max of BENCHMARKS.md in both layouts (1,000 clients over 10 teams and over one
 * team), each load in its own JVM. Round r runs the servers rotated by r - 1, so over rounds every server is first,
 * second and last. The result is a table of deliveries/s and the ratios to the in-memory floor.
 *
 * <p>Every process it starts is ended by PID (TERM, then KILL after 60 s) before the next one starts; the outputs of
 * every load run are kept in {@code --out-dir}.
 */
final class CapacityRound {
    static final String USAGE = """
            usage: chat bench capacity [options]   figure 2: in-memory floor, log floor and a fresh stack, one after the other
              --servers LIST       which, in the first round's order (default mem,log,stack)
              --rounds N           rounds; round r runs the list rotated by r-1 (default 1)
              --warm-seconds S     first warm-up phase (150 msg/s); the 400 msg/s phase lasts as long, the one-team
                                   phase half (default 60)
              --step-seconds S     find-max step length (default 10)
              --max-steps K        find-max steps before refining (default 8)
              --refine K           find-max bisection steps (default 2)
              --clients N          WebSocket clients of every load (default 1000)
              --layouts LIST       teams per layout (default 10,1: 1,000 clients over 10 teams, then over one)
              --out-dir DIR        where the load runs' outputs go (default target/capacity-<time>)
            exit code: 0 every find-max passed a rate, 1 otherwise, 2 bad usage
            """;

    private static final Pattern JSON_LINE = Pattern.compile("^\\{\"tool\":\"chat-bench\".*$", Pattern.MULTILINE);
    private static final Pattern MAX_PASSING = Pattern.compile("\"maxDeliveriesPerSecondPassing\":(\\d+)");
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    private static final Duration START_WAIT = Duration.ofSeconds(180);

    /** Parsed options; see {@link #USAGE}. */
    record Options(List<String> servers, int rounds, int warmSeconds, int stepSeconds, int maxSteps, int refine,
                   int clients, List<Integer> layouts, Path outDir) {
        static Options parse(final String[] args) throws BenchOptions.UsageException {
            List<String> servers = List.of("mem", "log", "stack");
            List<Integer> layouts = List.of(10, 1);
            int rounds = 1;
            int warm = 60;
            int step = 10;
            int maxSteps = 8;
            int refine = 2;
            int clients = 1000;
            Path out = Path.of("target", "capacity-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                switch (a) {
                    case "--servers" -> servers = servers(BenchOptions.value(args, ++i, a));
                    case "--rounds" -> rounds = BenchOptions.intValue(args, ++i, a, 1, 100);
                    case "--warm-seconds" -> warm = BenchOptions.intValue(args, ++i, a, 2, 3600);
                    case "--step-seconds" -> step = BenchOptions.intValue(args, ++i, a, 1, 600);
                    case "--max-steps" -> maxSteps = BenchOptions.intValue(args, ++i, a, 1, 50);
                    case "--refine" -> refine = BenchOptions.intValue(args, ++i, a, 0, 10);
                    case "--clients" -> clients = BenchOptions.intValue(args, ++i, a, 1, 19_000);
                    case "--layouts" -> layouts = layouts(BenchOptions.value(args, ++i, a));
                    case "--out-dir" -> out = Path.of(BenchOptions.value(args, ++i, a));
                    default -> throw new BenchOptions.UsageException("unknown option " + a);
                }
            }
            return new Options(servers, rounds, warm, step, maxSteps, refine, clients, layouts, out);
        }

        private static List<String> servers(final String value) throws BenchOptions.UsageException {
            final List<String> list = new ArrayList<>();
            for (String s : value.split(",")) {
                if (!List.of("mem", "log", "stack").contains(s) || list.contains(s)) {
                    throw new BenchOptions.UsageException("--servers takes distinct names of mem, log, stack, got " + value);
                }
                list.add(s);
            }
            return List.copyOf(list);
        }

        private static List<Integer> layouts(final String value) throws BenchOptions.UsageException {
            final List<Integer> list = new ArrayList<>();
            for (String s : value.split(",")) {
                try {
                    final int teams = Integer.parseInt(s);
                    if (teams < 1) {
                        throw new NumberFormatException();
                    }
                    list.add(teams);
                } catch (NumberFormatException e) {
                    throw new BenchOptions.UsageException("--layouts takes team counts >= 1, got " + value);
                }
            }
            return List.copyOf(list);
        }
    }

    /** The servers of round {@code round} (1-based): the list rotated left by {@code round - 1}. */
    static List<String> order(final List<String> servers, final int round) {
        final List<String> out = new ArrayList<>(servers.size());
        for (int i = 0; i < servers.size(); i++) {
            out.add(servers.get((i + round - 1) % servers.size()));
        }
        return out;
    }

    /** The find-max result (deliveries/s) in a load run's output, or -1 when it has none. */
    static long maxPassing(final String output) {
        final Matcher line = JSON_LINE.matcher(output);
        String last = null;
        while (line.find()) {
            last = line.group();
        }
        if (last == null) {
            return -1;
        }
        final Matcher m = MAX_PASSING.matcher(last);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** One table row per round and layout: each server's deliveries/s and the ratios to the in-memory floor. */
    static String table(final Map<String, Map<String, Long>> results, final List<String> servers) {
        final StringBuilder b = new StringBuilder("| round, layout |");
        servers.forEach(s -> b.append(' ').append(s).append(" |"));
        final List<String> others = servers.stream().filter(s -> !s.equals("mem")).toList();
        final boolean ratios = servers.contains("mem");
        if (ratios) {
            others.forEach(s -> b.append(' ').append(s).append(" / mem |"));
        }
        b.append('\n').append("|---|").append("---|".repeat(servers.size() + (ratios ? others.size() : 0))).append('\n');
        results.forEach((row, byServer) -> {
            b.append("| ").append(row).append(" |");
            servers.forEach(s -> b.append(String.format(Locale.ROOT, " %,d |", byServer.getOrDefault(s, -1L))));
            if (ratios) {
                final long mem = byServer.getOrDefault("mem", -1L);
                others.forEach(s -> {
                    final long v = byServer.getOrDefault(s, -1L);
                    b.append(mem > 0 && v >= 0 ? String.format(Locale.ROOT, " %.2f |", (double) v / mem) : " - |");
                });
            }
            b.append('\n');
        });
        return b.toString();
    }

    static int run(final String[] args) throws Exception {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(USAGE);
                return 0;
            }
        }
        final Options o;
        try {
            o = Options.parse(args);
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench capacity: " + e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
        Files.createDirectories(o.outDir());
        final Map<String, Map<String, Long>> results = new LinkedHashMap<>();
        boolean allPassed = true;
        for (int round = 1; round <= o.rounds(); round++) {
            final List<String> order = order(o.servers(), round);
            System.out.printf(Locale.ROOT, "round %d: %s%n", round, String.join(", ", order));
            for (String server : order) {
                final Map<String, Long> got = measure(o, round, server);
                for (Map.Entry<String, Long> e : got.entrySet()) {
                    results.computeIfAbsent("round " + round + ", " + e.getKey(), k -> new LinkedHashMap<>()).put(server, e.getValue());
                    allPassed &= e.getValue() > 0;
                }
            }
        }
        System.out.println();
        System.out.print(table(results, o.servers()));
        System.out.println("outputs: " + o.outDir().toAbsolutePath());
        return allPassed ? 0 : 1;
    }

    /** How one server is started: its port, JVM flags, main class and arguments, and the line that says it is up. */
    private record Launch(int port, List<String> jvmFlags, List<String> main, String readyLine) {
        static Launch of(final String server, final Path outDir) {
            return switch (server) {
                case "mem" -> new Launch(18700, List.of(), List.of(BenchMain.class.getName(), "forwarder", "--port", "18700"),
                        "listening");
                case "log" -> new Launch(18701, List.of(), List.of(BenchMain.class.getName(), "forwarder", "--port", "18701",
                        "--log", "--kafka-port", "19392"), "listening");
                // The stack as figure 2 measures it: no per-user limits in the way of 1,000 clients of one process.
                default -> new Launch(18195, List.of("-Dchat.ingest.rate-limit.enabled=false",
                        "-Dchat.edge.limits.max-connections-per-user=0", "-Dchat.search.enabled=false"),
                        List.of("chat.dev.DevStackMain", "--fresh", "--data-dir", outDir.resolve("stack-data").toString(),
                                "--port", "18195", "--kafka-port", "19295", "--pg-port", "15695", "--redis-port", "16595"),
                        "Ctrl-C stops");
            };
        }
    }

    /** Starts one server, warms it, runs the find-max of every layout, stops it; deliveries/s per layout. */
    private static Map<String, Long> measure(final Options o, final int round, final String server) throws Exception {
        final String tag = "r" + round + "-" + server;
        final Path log = o.outDir().resolve(tag + "-server.out");
        final Launch launch = Launch.of(server, o.outDir());
        final List<String> flags = new ArrayList<>(List.of("-XX:+UseZGC", "-Xms256m"));
        flags.addAll(launch.jvmFlags());
        final List<String> cmd = new ArrayList<>(java(flags.toArray(String[]::new)));
        cmd.addAll(launch.main());
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final int port = launch.port();
        final String url = "http://127.0.0.1:" + port;
        final Map<String, Long> out = new LinkedHashMap<>();
        try {
            awaitLine(p, log, launch.readyLine());
            final long pid = p.pid();
            System.out.printf(Locale.ROOT, "  %s (pid %d) warming up%n", server, pid);
            load(o, tag + "-warm1", url, pid, 10, 150, o.warmSeconds(), false);
            load(o, tag + "-warm2", url, pid, 10, 400, o.warmSeconds(), false);
            load(o, tag + "-warm3", url, pid, 1, 100, Math.max(1, o.warmSeconds() / 2), false);
            for (int teams : o.layouts()) {
                final String layout = teams + " x " + (o.clients() / teams);
                final long v = maxPassing(Files.readString(load(o, tag + "-" + teams, url, pid, teams, teams == 1 ? 20 : 100, 0, true)));
                System.out.printf(Locale.ROOT, "  %s, %s: %,d deliveries/s%n", server, layout, v);
                out.put(layout, v);
            }
        } finally {
            stop(p);
        }
        return out;
    }

    /** Runs one load in its own JVM (G1, as {@code ./chat bench}); returns the file in the out dir with its output. */
    private static Path load(final Options o, final String name, final String url, final long pid, final int teams,
                               final int rate, final int seconds, final boolean findMax) throws Exception {
        final List<String> cmd = new ArrayList<>(java("-XX:+UseG1GC"));
        cmd.addAll(List.of(BenchMain.class.getName(), "--url", url, "--clients", Integer.toString(o.clients()),
                "--teams", Integer.toString(teams), "--rate", Integer.toString(rate),
                "--warmup", Integer.toString(findMax ? 5 : Math.min(5, seconds)),
                "--raw-records", "0", "--server-pid", Long.toString(pid)));
        if (findMax) {
            cmd.addAll(List.of("--find-max", "--step-seconds", Integer.toString(o.stepSeconds()), "--step-factor", "1.5",
                    "--max-steps", Integer.toString(o.maxSteps()), "--refine", Integer.toString(o.refine())));
        } else {
            cmd.addAll(List.of("--duration", Integer.toString(seconds)));
        }
        final Path file = o.outDir().resolve(name + ".out");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(file.toFile()).start();
        try {
            p.waitFor();
        } finally {
            stop(p);
        }
        return file;
    }

    /** The command line of a JVM like this one (same java, same classpath) with the given collector flags. */
    private static List<String> java(final String... flags) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(flags));
        cmd.add("-Xmx2g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    private static void awaitLine(final Process p, final Path log, final String marker) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(marker)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue() + " before it was ready; see " + log);
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("server not ready within " + START_WAIT.toSeconds() + " s; see " + log);
    }

    /** Ends a process by PID: TERM (the stack stops its embedded servers on it), KILL after {@link #STOP_WAIT}. */
    static void stop(final Process p) throws InterruptedException {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private CapacityRound() {
    }
}
