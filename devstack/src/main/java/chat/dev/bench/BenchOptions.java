package chat.dev.bench;

import java.net.URI;

/** Command-line options of {@code ./chat bench}; {@link #parse} throws {@link UsageException} on bad input. */
record BenchOptions(String url, String kafka, int clients, int teams, double rate, double durationSeconds,
                    double warmupSeconds, long serverPid, long rawRecords, boolean findMax, String out,
                    int textLength, int maxInFlight, double stepSeconds, double stepFactor, int maxSteps,
                    double p99LimitMs, int refineSteps, double drainSeconds, boolean sameUser) {

    static final String USAGE = """
            usage: chat bench [options]      drives a RUNNING stack (./chat dev) and measures HTTP -> Kafka -> WebSocket delivery
              --url URL            HTTP/WebSocket base URL (default http://127.0.0.1:8080)
              --kafka HOST:PORT    Kafka bootstrap for the raw-producer comparison (default 127.0.0.1:19092)
              --clients N          WebSocket clients (default 1000, at most 19000: one process holds 20,000 files)
              --teams T            teams; client i follows team i % T, so N/T clients per team (default 100)
              --rate M             messages/s posted over HTTP, round-robin over teams, open-loop (default 1000)
              --duration S         measured seconds (default 60)
              --warmup S           unmeasured seconds at the same rate before (default 10)
              --server-pid PID     the server JVM: report its CPU (/proc), RSS and heap (jcmd)
              --raw-records R      raw KafkaProducer records to topic bench.raw after the WebSocket phase,
                                   0 skips it (default 200000)
              --find-max           step the rate up (x step-factor, step-seconds each) until p99 send->frame
                                   >= p99-limit-ms, errors or loss; report the highest rate that passed
              --step-seconds S     find-max step length (default 10)
              --step-factor F      find-max rate multiplier per step (default 1.5)
              --max-steps K        find-max step bound (default 12)
              --refine K           find-max bisection steps between the last pass and the first failure (default 2)
              --p99-limit-ms MS    find-max latency bound (default 100)
              --text-length L      message text length in characters (default 100)
              --max-in-flight K    outstanding POSTs; a due post beyond it is dropped and counted as an error (default 256)
              --drain S            longest wait for missing frames after posting stops (default 15)
              --out FILE           also write the JSON result to FILE
              --same-user          open every socket as the user "bench" (default: client i is user <run>-u<i>,
                                   added to its team as a member in setup; the bench user posts)
            other modes: chat bench idle --help | chat bench storm --help | chat bench forwarder --help
                         | chat bench capacity --help (figure 2: both floors and a fresh stack, one command)
            exit code: 0 success, 1 errors or lost frames (find-max: no rate passed), 2 bad usage
            """;

    static final class UsageException extends Exception {
        UsageException(final String message) {
            super(message);
        }
    }

    static BenchOptions parse(final String[] args) throws UsageException {
        String url = "http://127.0.0.1:8080";
        String kafka = "127.0.0.1:19092";
        int clients = 1000;
        int teams = 100;
        double rate = 1000;
        double duration = 60;
        double warmup = 10;
        long pid = -1;
        long raw = 200_000;
        boolean findMax = false;
        String out = null;
        int textLength = 100;
        int maxInFlight = 256;
        double stepSeconds = 10;
        double stepFactor = 1.5;
        int maxSteps = 12;
        double p99Limit = 100;
        int refine = 2;
        double drain = 15;
        boolean sameUser = false;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            switch (a) {
                case "--url" -> url = value(args, ++i, a);
                case "--kafka" -> kafka = value(args, ++i, a);
                case "--clients" -> clients = intValue(args, ++i, a, 1, 19_000);
                case "--teams" -> teams = intValue(args, ++i, a, 1, 1_000_000);
                case "--rate" -> rate = doubleValue(args, ++i, a, 0.1, 1_000_000);
                case "--duration" -> duration = doubleValue(args, ++i, a, 1, 86_400);
                case "--warmup" -> warmup = doubleValue(args, ++i, a, 0, 3_600);
                case "--server-pid" -> pid = intValue(args, ++i, a, 1, Integer.MAX_VALUE);
                case "--raw-records" -> raw = intValue(args, ++i, a, 0, 100_000_000);
                case "--find-max" -> findMax = true;
                case "--out" -> out = value(args, ++i, a);
                case "--text-length" -> textLength = intValue(args, ++i, a, 1, 40_000);
                case "--max-in-flight" -> maxInFlight = intValue(args, ++i, a, 1, 10_000);
                case "--step-seconds" -> stepSeconds = doubleValue(args, ++i, a, 1, 3_600);
                case "--step-factor" -> stepFactor = doubleValue(args, ++i, a, 1.01, 10);
                case "--max-steps" -> maxSteps = intValue(args, ++i, a, 1, 100);
                case "--refine" -> refine = intValue(args, ++i, a, 0, 10);
                case "--p99-limit-ms" -> p99Limit = doubleValue(args, ++i, a, 0.1, 60_000);
                case "--drain" -> drain = doubleValue(args, ++i, a, 0, 600);
                case "--same-user" -> sameUser = true;
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        if (teams > clients) {
            throw new UsageException("--teams (" + teams + ") must not exceed --clients (" + clients + ")");
        }
        try {
            final URI u = URI.create(url);
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new UsageException("--url must be http://host:port, got '" + url + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url is not a URI: " + e.getMessage());
        }
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (pid > 0 && !ProcessProbe.alive(pid)) {
            throw new UsageException("--server-pid " + pid + ": no such process");
        }
        return new BenchOptions(url, kafka, clients, teams, rate, duration, warmup, pid, raw, findMax, out,
                textLength, maxInFlight, stepSeconds, stepFactor, maxSteps, p99Limit, refine, drain, sameUser);
    }

    static String value(final String[] args, final int i, final String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    static int intValue(final String[] args, final int i, final String option, final long min, final long max)
            throws UsageException {
        final String v = value(args, i, option);
        try {
            final long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new UsageException(option + " must be " + min + ".." + max + ", got " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs an integer, got '" + v + "'");
        }
    }

    static double doubleValue(final String[] args, final int i, final String option, final double min,
                                      final double max) throws UsageException {
        final String v = value(args, i, option);
        try {
            final double n = Double.parseDouble(v);
            if (!(n >= min && n <= max)) {
                throw new UsageException(option + " must be " + min + ".." + max + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, got '" + v + "'");
        }
    }
}
