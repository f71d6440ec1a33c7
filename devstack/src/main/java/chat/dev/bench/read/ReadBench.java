package chat.dev.bench.read;

import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MessagePosted;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Channel history read benchmark of the Redis read cache (issue 3): seeds a running dev stack
 * through Kafka (real envelopes, a valid domain sequence: teams, members, channels, joins,
 * messages), waits until the projector has caught up, then measures {@code GET .../messages}
 * latency (client side, over HTTP) and the server's cache hit rate under a mix of reads while
 * messages keep arriving; then stops Redis ({@code SHUTDOWN NOSAVE}) and measures the same mix
 * again: reads from the shard only, the baseline.
 *
 * <pre>{@code
 * java -cp devstack/target/classes:$(cat cp.txt) chat.dev.bench.read.ReadBench \
 *   --http http://127.0.0.1:18095 --kafka 127.0.0.1:19195 --redis-port 16495 \
 *   --teams 10 --channels-per-team 100 --messages-per-channel 1000 --reads 40000
 * }</pre>
 *
 * Mix per read: {@code --list-percent} (default 10) the caller's channel list of a team
 * ({@code GET /teams/{t}/channels}, 100 channels with unread counts), the rest history: 88% newest
 * page (limit 50), 9% second page (cursor from the first), 3% a deep page (cursor ~600 messages
 * back, beyond the cached window); readers pick teams, channels and members uniformly, and a
 * writer posts {@code --writes-per-second} new messages meanwhile. Before the phases, users u1..u3
 * mark every channel read at the 5th newest message (through the HTTP API), so list reads count
 * unread messages after a marker as well as without one. History and list latencies and hit
 * rates are reported apart. {@code --threads} (default 4) reader threads; {@code --warmup-reads}
 * (default a tenth of {@code --reads}, at least 2,000) reads of the same mix before the measured
 * phase; {@code --stopped-reads} (default half of {@code --reads}) reads in the phase with Redis stopped.
 */
public final class ReadBench {
    private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("\"nextCursor\":\"(\\d+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, String> args;
    private final String http;
    private final String kafka;
    private final int teams;
    private final int channelsPerTeam;
    private final int messagesPerChannel;
    private final int users = 20;
    private final int threads;
    private final int listPercent;
    /** team/channel -> cursor of the second page, learned from first pages. */
    private final Map<String, String> secondPage = new ConcurrentHashMap<>();

    private ReadBench(final Map<String, String> args) {
        this.args = args;
        this.http = args.getOrDefault("http", "http://127.0.0.1:18095");
        this.kafka = args.getOrDefault("kafka", "127.0.0.1:19195");
        this.teams = Integer.parseInt(args.getOrDefault("teams", "10"));
        this.channelsPerTeam = Integer.parseInt(args.getOrDefault("channels-per-team", "100"));
        this.messagesPerChannel = Integer.parseInt(args.getOrDefault("messages-per-channel", "1000"));
        this.threads = Integer.parseInt(args.getOrDefault("threads", "4"));
        this.listPercent = Integer.parseInt(args.getOrDefault("list-percent", "10"));
        if (listPercent < 0 || listPercent > 100) {
            throw new IllegalArgumentException("--list-percent must be 0..100, got " + listPercent);
        }
    }

    public static void main(final String[] argv) throws Exception {
        final Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new ReadBench(a).run();
    }

    static String team(final int t) {
        return "bt" + t;
    }

    static String channel(final int c) {
        return "c" + c;
    }

    /** Every 10th channel is private (members u0..u4). */
    static boolean isPrivate(final int c) {
        return c % 10 == 9;
    }

    private void run() throws Exception {
        final long total = (long) teams * channelsPerTeam * messagesPerChannel;
        System.out.printf("seeding %d teams x %d channels x %d messages = %,d messages%n", teams, channelsPerTeam,
                messagesPerChannel, total);
        if (!"false".equals(args.get("seed"))) {
            final long t0 = System.nanoTime();
            seed();
            System.out.printf("produced in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            awaitProjector();
            System.out.printf("projected after %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        final int reads = Integer.parseInt(args.getOrDefault("reads", "40000"));
        System.out.printf("load average at start: %s%n", loadAverage());
        // Warm-up: one newest page per channel (the first read of a channel fills it from the shard).
        final long w0 = System.nanoTime();
        for (int t = 0; t < teams; t++) {
            for (int c = 0; c < channelsPerTeam; c++) {
                read(t, c, 0);
            }
        }
        System.out.printf("warm-up of %d channels in %.1f s; stats %s%n", teams * channelsPerTeam, (System.nanoTime() - w0) / 1e9,
                stats());
        if (listPercent > 0 && !"false".equals(args.get("markers"))) {
            final long m0 = System.nanoTime();
            final int marked = markRead();
            System.out.printf("read markers: %d set in %.1f s%n", marked, (System.nanoTime() - m0) / 1e9);
        }
        final long l0 = System.nanoTime();
        for (int t = 0; t < teams && listPercent > 0; t++) {
            list(t);
        }
        System.out.printf("list warm-up of %d teams in %.2f s; stats %s%n", teams, (System.nanoTime() - l0) / 1e9, stats());
        // The stack's JIT compiler threads still take half a core after a few thousand reads of a
        // fresh JVM: --warmup-reads lets the measured phase start on compiled code.
        mix(Integer.parseInt(args.getOrDefault("warmup-reads", String.valueOf(Math.max(2000, reads / 10)))), "jit warm-up");
        final Phase warm = mix(reads, "warm cache");
        final int redisPort = Integer.parseInt(args.getOrDefault("redis-port", "16495"));
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            final String used = c.sync().info("memory").lines().filter(l -> l.startsWith("used_memory_human:")).findFirst().orElse("?");
            final long keys = c.sync().dbsize();
            System.out.printf("redis before stop: %s, %d keys%n", used, keys);
            c.sync().shutdown(false);
        } catch (Exception e) {
            // SHUTDOWN closes the connection: expected
        } finally {
            client.shutdown();
        }
        Thread.sleep(500);
        // The shard-only phase can be shortened: its channel lists take a second each at 1M messages.
        final int stoppedReads = Integer.parseInt(args.getOrDefault("stopped-reads", String.valueOf(reads / 2)));
        mix(Math.max(200, stoppedReads / 10), "warm-up without redis");
        final Phase stopped = mix(stoppedReads, "redis stopped (shard only)");
        System.out.printf("load average at end: %s%n", loadAverage());
        System.out.println();
        System.out.println("| phase | reads | p50 ms | p90 ms | p99 ms | max ms | reads/s | hit rate |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Phase p : List.of(warm, stopped)) {
            row(p.name + ": history", p.history, p.seconds, p.hitRate);
            // Pages in the cached window (newest, second) apart from the deep pages, which are shard reads by design
            // and, at 3 % of the mix, sit exactly where the p99 of all history reads is taken.
            row(p.name + ": history, pages in the window", p.window, 0, -1);
            row(p.name + ": history, deep pages (shard)", p.deep, 0, -1);
            if (p.lists.length > 0) {
                row(p.name + ": channel list", p.lists, p.seconds, p.listHitRate);
            }
        }
    }

    /** One table row of sorted latencies; {@code seconds} 0 / {@code hitRate} < 0 leave those cells empty. */
    private static void row(final String label, final long[] sorted, final double seconds, final double hitRate) {
        System.out.printf("| %s | %d | %.2f | %.2f | %.2f | %.2f | %s | %s |%n", label, sorted.length, p(sorted, 0.50),
                p(sorted, 0.90), p(sorted, 0.99), p(sorted, 1.0), seconds > 0 ? String.format("%.0f", sorted.length / seconds) : "",
                hitRate >= 0 ? String.format("%.4f", hitRate) : "");
    }

    /** The q-quantile of sorted {@code values} in ms, 0 when empty. */
    static double p(final long[] values, final double q) {
        if (values.length == 0) {
            return 0;
        }
        final int i = (int) Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1));
        return values[i] / 1e6;
    }

    /**
     * A phase's latencies, each array sorted: all history reads, those of pages in the cached window,
     * the deep pages, and the channel-list reads; hit rates from the server's counters.
     */
    record Phase(String name, double seconds, long[] history, long[] window, long[] deep, long[] lists, double hitRate,
                 double listHitRate) {
    }

    private Phase mix(final int n, final String name) throws Exception {
        final String before = stats();
        final long[] windowNanos = new long[n];
        final long[] deepNanos = new long[n];
        final long[] listNanos = new long[n];
        final AtomicInteger windowCount = new AtomicInteger();
        final AtomicInteger deepCount = new AtomicInteger();
        final AtomicInteger listCount = new AtomicInteger();
        final AtomicInteger next = new AtomicInteger();
        final AtomicLong errors = new AtomicLong();
        final AtomicBoolean writing = new AtomicBoolean(true);
        final Thread writer = Thread.ofPlatform().name("bench-writer").start(() -> backgroundWrites(writing));
        final List<Thread> readers = new ArrayList<>();
        final long t0 = System.nanoTime();
        for (int r = 0; r < threads; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                final ThreadLocalRandom rnd = ThreadLocalRandom.current();
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    final boolean isList = rnd.nextInt(100) < listPercent;
                    final int roll = rnd.nextInt(100);
                    final int kind = roll < 88 ? 0 : roll < 97 ? 1 : 2;
                    final long s = System.nanoTime();
                    try {
                        if (isList) {
                            list(rnd.nextInt(teams));
                        } else {
                            read(rnd.nextInt(teams), rnd.nextInt(channelsPerTeam), kind);
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    final long took = System.nanoTime() - s;
                    if (isList) {
                        listNanos[listCount.getAndIncrement()] = took;
                    } else if (kind == 2) {
                        deepNanos[deepCount.getAndIncrement()] = took;
                    } else {
                        windowNanos[windowCount.getAndIncrement()] = took;
                    }
                }
            }));
        }
        for (Thread t : readers) {
            t.join();
        }
        final double seconds = (System.nanoTime() - t0) / 1e9;
        writing.set(false);
        writer.join();
        final String after = stats();
        final long hits = field(after, "hits") - field(before, "hits");
        final long misses = field(after, "misses") - field(before, "misses");
        final long listHits = field(listPart(after), "hits") - field(listPart(before), "hits");
        final long listMisses = field(listPart(after), "misses") - field(listPart(before), "misses");
        final long[] window = sorted(windowNanos, windowCount.get());
        final long[] deep = sorted(deepNanos, deepCount.get());
        final long[] history = java.util.stream.LongStream.concat(Arrays.stream(window), Arrays.stream(deep)).sorted().toArray();
        final long[] lists = sorted(listNanos, listCount.get());
        final Phase p = new Phase(name, seconds, history, window, deep, lists, hits + misses == 0 ? 0 : (double) hits / (hits + misses),
                listHits + listMisses == 0 ? 0 : (double) listHits / (listHits + listMisses));
        System.out.printf("%s: %d history reads in %.1f s, p50 %.2f ms, p99 %.2f ms, hit rate %.4f (hits %d, misses %d);"
                        + " %d list reads, p50 %.2f ms, p99 %.2f ms, hit rate %.4f (hits %d, misses %d); errors %d; load %s; stats %s%n",
                name, history.length, seconds, p(history, 0.5), p(history, 0.99), p.hitRate, hits, misses, lists.length,
                p(lists, 0.5), p(lists, 0.99), p.listHitRate, listHits, listMisses, errors.get(), loadAverage(), after);
        return p;
    }

    private static long[] sorted(final long[] values, final int count) {
        final long[] out = Arrays.copyOf(values, count);
        Arrays.sort(out);
        return out;
    }

    /** kind 0 = newest page, 1 = second page, 2 = deep page beyond the cached window. */
    private void read(final int t, final int c, final int kind) throws Exception {
        final String key = t + "/" + c;
        String q = "?limit=50";
        if (kind == 1 && secondPage.containsKey(key)) {
            q += "&before=" + secondPage.get(key);
        } else if (kind == 2 && secondPage.containsKey(key)) {
            // ~600 messages of this channel back: the channel's messages are spread over one partition's offsets
            q += "&before=" + Math.max(1, Long.parseLong(secondPage.get(key)) - 600L * channelsPerTeam);
        }
        final String user = "u" + (isPrivate(c) ? ThreadLocalRandom.current().nextInt(5) : ThreadLocalRandom.current().nextInt(users));
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/teams/" + team(t) + "/channels/"
                + channel(c) + "/messages" + q)).header("Authorization", chat.dev.bench.BenchTokens.bearer(http, user)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("read answered " + r.statusCode() + ": " + r.body());
        }
        if (kind == 0 && !secondPage.containsKey(key)) {
            final java.util.regex.Matcher m = CURSOR.matcher(r.body());
            if (m.find()) {
                secondPage.put(key, m.group(1));
            }
        }
    }

    /** The channel list of team {@code t} as a random member (u0..u4 see the private channels too). */
    private void list(final int t) throws Exception {
        final String user = "u" + ThreadLocalRandom.current().nextInt(users);
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/teams/" + team(t) + "/channels"))
                .header("Authorization", chat.dev.bench.BenchTokens.bearer(http, user)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().startsWith("{\"channels\":[")) {
            throw new IllegalStateException("channel list answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** u1..u3 mark every channel read at its 5th newest message (via the HTTP API); returns how many were set. */
    private int markRead() throws Exception {
        final java.util.regex.Pattern id = java.util.regex.Pattern.compile("\"messageId\":\"([^\"]+)\"");
        int marked = 0;
        for (int t = 0; t < teams; t++) {
            for (int c = 0; c < channelsPerTeam; c++) {
                final HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/teams/" + team(t)
                                + "/channels/" + channel(c) + "/messages?limit=5")).header("Authorization",
                                chat.dev.bench.BenchTokens.bearer(http, "u1")).timeout(Duration.ofSeconds(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                final java.util.regex.Matcher m = id.matcher(page.body());
                String last = null;
                while (m.find()) {
                    last = m.group(1);
                }
                if (last == null) {
                    continue;
                }
                for (int u = 1; u <= 3; u++) {
                    final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/teams/" + team(t)
                                    + "/channels/" + channel(c) + "/messages/" + last + "/read"))
                                    .header("Authorization", chat.dev.bench.BenchTokens.bearer(http, "u" + u))
                                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() / 100 != 2) {
                        throw new IllegalStateException("read marker answered " + r.statusCode() + ": " + r.body());
                    }
                    marked++;
                }
            }
        }
        return marked;
    }

    private static String listPart(final String stats) {
        final int i = stats.indexOf("\"channelList\"");
        return i < 0 ? "" : stats.substring(i);
    }

    /** The OS load average (1, 5, 15 min), to judge how much the shared machine disturbed a phase. */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return String.format("%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private String stats() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/read-cache/stats")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long field(final String json, final String name) {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return chat.dev.bench.SeedProducer.create(kafka, "bench-read-seed");
    }

    private static void send(final KafkaProducer<byte[], byte[]> p, final String team, final String actor, final String channel,
                             final Object payload, final AtomicLong failed) {
        final EventEnvelope e = EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTeamId(team)
                .setActorId(actor)
                .setOccurredAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .setSchemaVersion(EventCodec.CURRENT_VERSION)
                .setPayload(payload)
                .build();
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

    private void seed() {
        final AtomicLong failed = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (int t = 0; t < teams; t++) {
                final String team = team(t);
                send(p, team, "u0", null, new TeamCreated("Bench team " + t), failed);
                for (int u = 0; u < users; u++) {
                    send(p, team, "u0", null, new TeamMemberJoined("u" + u, u == 0 ? "admin" : "member"), failed);
                }
                for (int c = 0; c < channelsPerTeam; c++) {
                    send(p, team, "u0", channel(c), new ChannelCreated(channel(c), "Channel " + c, isPrivate(c), null), failed);
                    for (int u = 0; u < (isPrivate(c) ? 5 : users); u++) {
                        send(p, team, "u" + u, channel(c), new MemberJoined(channel(c), "u" + u, null), failed);
                    }
                }
            }
            final String pad = "lorem ipsum dolor sit amet ".repeat(3);
            for (int m = 0; m < messagesPerChannel; m++) {
                for (int t = 0; t < teams; t++) {
                    for (int c = 0; c < channelsPerTeam; c++) {
                        final String author = "u" + ((m + c) % (isPrivate(c) ? 5 : users));
                        send(p, team(t), author, channel(c), new MessagePosted(channel(c), UUID.randomUUID().toString(),
                                "message " + m + " " + pad, null, null), failed);
                    }
                }
            }
            p.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " seed records failed");
        }
    }

    private void backgroundWrites(final AtomicBoolean writing) {
        final int perSecond = Integer.parseInt(args.getOrDefault("writes-per-second", "100"));
        final AtomicLong failed = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            final ThreadLocalRandom rnd = ThreadLocalRandom.current();
            long next = System.nanoTime();
            while (writing.get()) {
                final int c = rnd.nextInt(channelsPerTeam);
                send(p, team(rnd.nextInt(teams)), "u1", channel(c), new MessagePosted(channel(c), UUID.randomUUID().toString(),
                        "live " + System.nanoTime(), null, null), failed);
                next += 1_000_000_000L / Math.max(1, perSecond);
                final long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the projector's committed offsets reach the end of chat.events. */
    private void awaitProjector() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            final Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            final int partitions = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS).partitions().size();
            for (int i = 0; i < partitions; i++) {
                specs.put(new TopicPartition(Topics.EVENTS, i), OffsetSpec.latest());
            }
            final Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            final String group = args.getOrDefault("projector-group", "chat-projector");
            while (true) {
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                long lag = 0;
                for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                    final OffsetAndMetadata o = committed.get(e.getKey());
                    lag += e.getValue() - (o == null ? 0 : o.offset());
                }
                if (lag <= 0) {
                    return;
                }
                System.out.printf("projector lag %,d%n", lag);
                Thread.sleep(5000);
            }
        }
    }
}
