package chat.dev.bench.search;

import chat.common.kafka.TeamPartitioner;
import chat.dev.bench.BenchTokens;
import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MessagePosted;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./chat bench search [options]}: the search-indexer benchmark against a running dev stack
 * (started with {@code -Dchat.ingest.rate-limit.enabled=false}):
 * <ol>
 *   <li>seed: {@code --messages} messages (default 1,000,000) in {@code --teams} teams straight into
 *       {@code chat.events} (valid envelopes; Zipf-distributed words from a 5,000-word vocabulary,
 *       5-25 words, dates over the past year, every 20th a reply), then wait until the index caught up;</li>
 *   <li>replay: rebuild every partition's index from offset 0 at once and time it until the indexer
 *       reached the log end again: events/s;</li>
 *   <li>query: {@code --queries} searches ({@code --threads} in parallel) of a mix (single frequent
 *       word, rare word, two words, phrase, prefix, filters) as team members: p50/p90/p99/max,
 *       client side and the server's own {@code Server-Timing};</li>
 *   <li>live: {@code --rate} posts/s over HTTP for {@code --live-seconds}; right after every
 *       {@code --probe-every}-th 201 the poster searches the post's unique word: post -> searchable
 *       (201 -> a search that finds it) and the barrier's share.</li>
 * </ol>
 * {@code --seed false} reuses the teams of an earlier run with the same {@code --tag}.
 */
public final class SearchBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(8)).build();
    private static final Pattern TIMING = Pattern.compile("barrier;dur=([0-9.]+), search;dur=([0-9.]+)");
    private static final Pattern LAG = Pattern.compile("\"lag\":(\\d+)");
    private static final Pattern END = Pattern.compile("\"logEnd\":(\\d+)");
    private static final Pattern TOTAL = Pattern.compile("\"total\":(\\d+)");
    private static final int VOCABULARY = 5_000;
    private static final int CHANNELS = 20;
    private static final int USERS = 50;

    private final Map<String, String> args;
    private final String http;
    private final String kafka;
    private final String adminToken;
    private final int teams;
    private final long messages;
    private final String tag;
    private final String[] words;
    private final double[] zipf;

    private SearchBench(final Map<String, String> args) {
        this.args = args;
        this.http = args.getOrDefault("http", "http://127.0.0.1:8080");
        this.kafka = args.getOrDefault("kafka", "127.0.0.1:19092");
        this.adminToken = args.getOrDefault("admin-token", "dev-search-admin");
        this.teams = Integer.parseInt(args.getOrDefault("teams", "8"));
        this.messages = Long.parseLong(args.getOrDefault("messages", "1000000"));
        this.tag = args.getOrDefault("tag", "s" + Long.toString(System.currentTimeMillis() % 46_656_000L, 36));
        System.out.println("tag " + tag + " (--seed false --tag " + tag + " reuses these teams)");
        this.words = vocabulary();
        this.zipf = new double[VOCABULARY];
        double sum = 0;
        for (int i = 0; i < VOCABULARY; i++) {
            sum += 1.0 / (i + 1);
            zipf[i] = sum;
        }
        for (int i = 0; i < VOCABULARY; i++) {
            zipf[i] /= sum;
        }
    }

    /** Entry of {@code ./chat bench search ...}: runs and exits (1 on failure). */
    public static void cli(final String[] argv) {
        try {
            main(argv);
        } catch (Exception e) {
            System.err.println("bench search: failed: " + e);
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    public static void main(final String[] argv) throws Exception {
        final Map<String, String> a = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("-h") || argv[i].equals("--help")) {
                System.out.println("usage: chat bench search [--http URL] [--kafka HOST:PORT] [--admin-token T] [--teams 8]"
                        + " [--messages 1000000] [--seed true|false] [--tag T] [--replay true|false] [--queries 5000] [--threads 4]"
                        + " [--rate 1000] [--live-seconds 30] [--probe-every 10]");
                return;
            }
            if (i + 1 < argv.length) {
                a.put(argv[i].replaceFirst("^--", ""), argv[++i]);
            }
        }
        new SearchBench(a).run();
        System.exit(0);
    }

    /** Pronounceable distinct words: syllable pairs and triples, deterministic. */
    private static String[] vocabulary() {
        final String[] syl = {"ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "xi", "zu", "bra", "cle", "dri", "fo", "gu", "ha",
                "jo", "ki", "pla", "qua", "ste", "tri", "ul", "ven", "wo", "yel", "zor", "mar", "pen", "dax"};
        final String[] out = new String[VOCABULARY];
        final Random r = new Random(42);
        final java.util.Set<String> seen = new java.util.HashSet<>();
        int i = 0;
        while (i < VOCABULARY) {
            final StringBuilder b = new StringBuilder();
            final int n = 2 + r.nextInt(2);
            for (int k = 0; k < n; k++) {
                b.append(syl[r.nextInt(syl.length)]);
            }
            if (seen.add(b.toString())) {
                out[i++] = b.toString();
            }
        }
        return out;
    }

    private String word(final Random r) {
        final int i = Arrays.binarySearch(zipf, r.nextDouble());
        return words[Math.min(VOCABULARY - 1, i < 0 ? -i - 1 : i)];
    }

    private String team(final int t) {
        return tag + "-t" + t;
    }

    private void run() throws Exception {
        final Map<String, Object> results = new java.util.LinkedHashMap<>();
        if (!"false".equals(args.get("seed"))) {
            final long t0 = System.nanoTime();
            final long produced = seed();
            final double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("seeded %,d events (%,d messages in %d teams) in %.1f s = %,.0f events/s%n", produced, messages,
                    teams, s, produced / s);
            final double caught = awaitCaughtUp(Duration.ofMinutes(20));
            System.out.printf("live indexer caught up %.1f s after the seeding started (%,.0f events/s incl. seeding)%n",
                    (System.nanoTime() - t0) / 1e9, produced / ((System.nanoTime() - t0) / 1e9));
            results.put("live catch-up s", caught);
        }
        if (!"false".equals(args.get("replay"))) {
            awaitProjector(); // the replay figure is the indexer's alone, not shared with the projector's catch-up
            replay();
        }
        queries(Integer.parseInt(args.getOrDefault("queries", "5000")), Integer.parseInt(args.getOrDefault("threads", "4")));
        live(Integer.parseInt(args.getOrDefault("rate", "1000")), Integer.parseInt(args.getOrDefault("live-seconds", "30")),
                Integer.parseInt(args.getOrDefault("probe-every", "10")));
        System.out.println("status after: " + admin("GET", "/api/v1/search/status"));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return chat.dev.bench.SeedProducer.create(kafka, "bench-search-seed");
    }

    private static void send(final KafkaProducer<byte[], byte[]> p, final String team, final String actor, final String channel,
                             final Object payload, final Instant at, final AtomicLong failed) {
        final EventEnvelope e = EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setTeamId(team).setActorId(actor)
                .setOccurredAt(at).setSchemaVersion(EventCodec.CURRENT_VERSION).setPayload(payload).build();
        final byte[] key = team.getBytes(StandardCharsets.UTF_8);
        final RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_TEAM, key);
        if (channel != null) {
            h.add(Topics.HEADER_CHANNEL, channel.getBytes(StandardCharsets.UTF_8));
        }
        h.add(Topics.HEADER_TYPE, payload.getClass().getSimpleName().getBytes(StandardCharsets.UTF_8));
        p.send(new ProducerRecord<>(Topics.EVENTS, null, key, EventCodec.encode(e), h), (md, err) -> {
            if (err != null) {
                failed.incrementAndGet();
            }
        });
    }

    /** Channel c9 and c19 are private (members u0..u4). */
    private static boolean isPrivate(final int c) {
        return c % 10 == 9;
    }

    private long seed() {
        final AtomicLong failed = new AtomicLong();
        long events = 0;
        final Instant now = Instant.now();
        final long yearMillis = 365L * 86_400_000L;
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            final Instant start = now.minusMillis(yearMillis);
            for (int t = 0; t < teams; t++) {
                send(p, team(t), "u0", null, new TeamCreated("bench " + t), start, failed);
                events++;
                for (int u = 0; u < USERS; u++) {
                    send(p, team(t), "u0", null, new TeamMemberJoined("u" + u, u == 0 ? "admin" : "member"), start, failed);
                    events++;
                }
                for (int c = 0; c < CHANNELS; c++) {
                    send(p, team(t), "u0", "c" + c, new ChannelCreated("c" + c, "c" + c, isPrivate(c), null), start, failed);
                    events++;
                    for (int u = 0; u < (isPrivate(c) ? 5 : USERS); u++) {
                        send(p, team(t), "u" + u, "c" + c, new MemberJoined("c" + c, "u" + u, null), start, failed);
                        events++;
                    }
                }
            }
            final Random r = new Random(7);
            final String[][] lastRoot = new String[teams][CHANNELS];
            final StringBuilder text = new StringBuilder(256);
            for (long m = 0; m < messages; m++) {
                final int t = (int) (m % teams);
                final int c = r.nextInt(CHANNELS);
                final String author = "u" + r.nextInt(isPrivate(c) ? 5 : USERS);
                text.setLength(0);
                final int n = 5 + r.nextInt(21);
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        text.append(' ');
                    }
                    text.append(word(r));
                }
                final String id = UUID.randomUUID().toString();
                final String root = m % 20 == 19 ? lastRoot[t][c] : null;
                if (root == null) {
                    lastRoot[t][c] = id;
                }
                final Instant at = now.minusMillis(yearMillis - yearMillis * m / Math.max(1, messages));
                send(p, team(t), author, "c" + c, new MessagePosted("c" + c, id, text.toString(), root, null), at, failed);
                events++;
            }
            p.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " seed records failed");
        }
        return events;
    }

    private String admin(final String method, final String path) throws Exception {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + path)).timeout(Duration.ofSeconds(60))
                .header("X-Chat-Admin-Token", adminToken).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static long sum(final Pattern p, final String json) {
        final Matcher m = p.matcher(json);
        long s = 0;
        while (m.find()) {
            s += Long.parseLong(m.group(1));
        }
        return s;
    }

    /** Polls the status until every partition's lag is 0; returns the seconds waited. */
    private double awaitCaughtUp(final Duration timeout) throws Exception {
        final long t0 = System.nanoTime();
        long lastPrint = 0;
        while (System.nanoTime() - t0 < timeout.toNanos()) {
            final String s = admin("GET", "/api/v1/search/status");
            final long lag = sum(LAG, s);
            if (lag == 0) {
                return (System.nanoTime() - t0) / 1e9;
            }
            if (System.nanoTime() - lastPrint > 5e9) {
                System.out.printf("  index lag %,d events%n", lag);
                lastPrint = System.nanoTime();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the index did not catch up within " + timeout);
    }

    /** Waits until the projector's committed offsets reach the end of chat.events (as ReadBench does). */
    private void awaitProjector() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            final Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
            final int partitions = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS).partitions().size();
            for (int i = 0; i < partitions; i++) {
                specs.put(new org.apache.kafka.common.TopicPartition(Topics.EVENTS, i), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            final Map<org.apache.kafka.common.TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            final long t0 = System.nanoTime();
            while (true) {
                final var committed = admin.listConsumerGroupOffsets(args.getOrDefault("projector-group", "chat-projector"))
                        .partitionsToOffsetAndMetadata().get();
                long lag = 0;
                for (var e : end.entrySet()) {
                    final var o = committed.get(e.getKey());
                    lag += e.getValue() - (o == null ? 0 : o.offset());
                }
                if (lag <= 0) {
                    System.out.printf("projector caught up (waited %.1f s)%n", (System.nanoTime() - t0) / 1e9);
                    return;
                }
                System.out.printf("  projector lag %,d%n", lag);
                Thread.sleep(5000);
            }
        }
    }

    private void replay() throws Exception {
        final String before = admin("GET", "/api/v1/search/status");
        final long events = sum(END, before);
        final int partitions = Integer.parseInt(args.getOrDefault("partitions", "12"));
        final long t0 = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            admin("POST", "/api/v1/search/partitions/" + p + "/rebuild");
        }
        final double s = awaitCaughtUp(Duration.ofMinutes(30)) + 0; // includes the rebuild requests
        final double total = (System.nanoTime() - t0) / 1e9;
        System.out.printf("REPLAY: rebuilt %d partitions from offset 0: %,d events in %.1f s = %,.0f events/s%n", partitions, events,
                total, events / total);
        System.out.println("status: " + admin("GET", "/api/v1/search/status"));
    }

    private record Query(int team, String user, String q, String kind) {
    }

    private Query randomQuery(final Random r) {
        final int t = r.nextInt(teams);
        final String user = "u" + r.nextInt(USERS);
        final int roll = r.nextInt(100);
        if (roll < 30) {
            return new Query(t, user, words[r.nextInt(50)], "frequent word");
        }
        if (roll < 50) {
            return new Query(t, user, words[500 + r.nextInt(4000)], "rare word");
        }
        if (roll < 65) {
            return new Query(t, user, word(r) + " " + word(r), "two words");
        }
        if (roll < 75) {
            return new Query(t, user, "\"" + word(r) + " " + word(r) + "\"", "phrase");
        }
        if (roll < 85) {
            return new Query(t, user, word(r).substring(0, 3) + "*", "prefix");
        }
        final String w = word(r);
        final String filter = switch (r.nextInt(4)) {
            case 0 -> "in:c" + r.nextInt(CHANNELS);
            case 1 -> "from:u" + r.nextInt(USERS);
            case 2 -> "has:thread";
            default -> "after:" + LocalDate.now(ZoneOffset.UTC).minusDays(30 + r.nextInt(300));
        };
        return new Query(t, user, w + " " + filter, "filter");
    }

    private record Timed(long clientNanos, double barrierMs, double searchMs, long total) {
    }

    private Timed search(final String team, final String user, final String q) throws Exception {
        final long s = System.nanoTime();
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/teams/" + team + "/search?limit=20&q="
                + URLEncoder.encode(q, StandardCharsets.UTF_8))).header("Authorization", BenchTokens.bearer(http, user))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        final long nanos = System.nanoTime() - s;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("search " + q + " answered " + r.statusCode() + ": " + r.body());
        }
        final Matcher m = TIMING.matcher(r.headers().firstValue("Server-Timing").orElse(""));
        final Matcher tot = TOTAL.matcher(r.body());
        return new Timed(nanos, m.find() ? Double.parseDouble(m.group(1)) : -1, m.find(0) ? Double.parseDouble(m.group(2)) : -1,
                tot.find() ? Long.parseLong(tot.group(1)) : -1);
    }

    private void queries(final int n, final int threads) throws Exception {
        final List<String> users = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            users.add("u" + u);
        }
        BenchTokens.prefetch(http, users);
        for (String phase : List.of("warm-up", "measured")) {
            final int count = phase.equals("warm-up") ? Math.max(500, n / 5) : n;
            final long[] client = new long[count];
            final double[] server = new double[count];
            final double[] barrier = new double[count];
            final long[] totals = new long[count];
            final AtomicInteger next = new AtomicInteger();
            final AtomicLong errors = new AtomicLong();
            final Map<String, List<Long>> byKind = new java.util.concurrent.ConcurrentHashMap<>();
            final List<Thread> workers = new ArrayList<>();
            final long t0 = System.nanoTime();
            for (int w = 0; w < threads; w++) {
                final int seed = w;
                workers.add(Thread.ofPlatform().start(() -> {
                    final Random r = new Random(1000L * seed + count);
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        final Query q = randomQuery(r);
                        try {
                            final Timed t = search(team(q.team()), q.user(), q.q());
                            client[i] = t.clientNanos();
                            server[i] = t.searchMs();
                            barrier[i] = t.barrierMs();
                            totals[i] = t.total();
                            byKind.computeIfAbsent(q.kind(), k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(t.clientNanos());
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            client[i] = -1;
                            if (errors.get() < 5) {
                                System.out.println("  error: " + e.getMessage());
                            }
                        }
                    }
                }));
            }
            for (Thread t : workers) {
                t.join();
            }
            final double secs = (System.nanoTime() - t0) / 1e9;
            if (phase.equals("warm-up")) {
                System.out.printf("query warm-up: %d in %.1f s, errors %d%n", count, secs, errors.get());
                continue;
            }
            final long[] ok = Arrays.stream(client).filter(v -> v >= 0).sorted().toArray();
            final double[] sv = Arrays.stream(server).filter(v -> v >= 0).sorted().toArray();
            final double[] bv = Arrays.stream(barrier).filter(v -> v >= 0).sorted().toArray();
            System.out.printf(Locale.ROOT, "QUERIES over %,d messages (%d teams, %d threads): %d in %.1f s = %.0f/s, errors %d;"
                            + " client p50 %.2f ms p90 %.2f p99 %.2f max %.2f; server search p50 %.2f p99 %.2f; barrier p50 %.2f p99 %.2f;"
                            + " mean hits total %.0f%n",
                    messages, teams, threads, count, secs, count / secs, errors.get(), pct(ok, 50), pct(ok, 90), pct(ok, 99), pct(ok, 100),
                    pct(sv, 50), pct(sv, 99), pct(bv, 50), pct(bv, 99), Arrays.stream(totals).filter(v -> v >= 0).average().orElse(0));
            byKind.forEach((k, v) -> {
                final long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf(Locale.ROOT, "  %-14s n=%5d p50 %.2f ms p99 %.2f ms%n", k, a.length, pct(a, 50), pct(a, 99));
            });
        }
    }

    private static double pct(final long[] sortedNanos, final double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        final int i = (int) Math.min(sortedNanos.length - 1, Math.max(0, Math.ceil(p / 100 * sortedNanos.length) - 1));
        return sortedNanos[i] / 1e6;
    }

    private static double pct(final double[] sorted, final double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        final int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
        return sorted[i];
    }

    /** HTTP posts at {@code rate}/s; every {@code probeEvery}-th poster searches its own word right after the 201. */
    private void live(final int rate, final int seconds, final int probeEvery) throws Exception {
        final int liveTeams = 10;
        final String user = "bench-search";
        final String bearer = BenchTokens.bearer(http, user);
        for (int t = 0; t < liveTeams; t++) {
            final String team = tag + "-live" + t;
            post("/api/v1/teams", bearer, "{\"teamId\":\"" + team + "\"}", true);
            post("/api/v1/teams/" + team + "/channels", bearer, "{\"channelId\":\"general\"}", true);
        }
        final ExecutorService pool = Executors.newFixedThreadPool(64);
        final ConcurrentLinkedQueue<double[]> probes = new ConcurrentLinkedQueue<>();
        final String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        final AtomicLong posted = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong notFound = new AtomicLong();
        final long total = (long) rate * seconds;
        final long t0 = System.nanoTime();
        for (long i = 0; i < total; i++) {
            final long due = t0 + i * 1_000_000_000L / rate;
            final long sleep = due - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            final long n = i;
            pool.execute(() -> {
                final String team = tag + "-live" + (n % liveTeams);
                final String marker = "lv" + run + "x" + n; // unique per run, also when --tag reuses the teams
                try {
                    post("/api/v1/teams/" + team + "/channels/general/messages", bearer,
                            "{\"text\":\"live message " + marker + " " + word(ThreadLocalRandom.current()) + "\"}", false);
                    final long acked = System.nanoTime();
                    posted.incrementAndGet();
                    if (n % probeEvery == 0) {
                        final Timed t = search(team, user, marker);
                        if (t.total() != 1) {
                            notFound.incrementAndGet();
                        }
                        probes.add(new double[] {(System.nanoTime() - acked) / 1e6, t.barrierMs(), t.searchMs()});
                    }
                } catch (Exception e) {
                    if (errors.incrementAndGet() < 5) {
                        System.out.println("  live error: " + e.getMessage());
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.MINUTES);
        final double secs = (System.nanoTime() - t0) / 1e9;
        final double[] lat = probes.stream().mapToDouble(a -> a[0]).sorted().toArray();
        final double[] bar = probes.stream().mapToDouble(a -> a[1]).sorted().toArray();
        System.out.printf(Locale.ROOT, "LIVE: %,d posts in %.1f s = %.0f/s (errors %d); %d probes, not found %d;"
                        + " post->searchable (201 -> search answered with the hit) p50 %.1f ms p90 %.1f p99 %.1f max %.1f;"
                        + " barrier wait p50 %.1f ms p99 %.1f max %.1f%n",
                posted.get(), secs, posted.get() / secs, errors.get(), lat.length, notFound.get(), pct(lat, 50), pct(lat, 90),
                pct(lat, 99), pct(lat, 100), pct(bar, 50), pct(bar, 99), pct(bar, 100));
        System.out.println("partition of live team 0: " + TeamPartitioner.partitionOf(tag + "-live0", 12));
    }

    private void post(final String path, final String bearer, final String json, final boolean existsOk) throws Exception {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2 && !(existsOk && r.statusCode() == 409)) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
