package chat.dev.it.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis read cache end to end, with real Redis processes: history served from the cache equals
 * the shard's (after edits, deletes, thread replies, retried posts), authorization from cached
 * membership is as strict as SQL, deleted text leaves Redis, and with Redis stopped reads fall back
 * to the shard and writes keep working; when Redis returns (even with its old data) the cache is
 * never served stale and becomes valid again without a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadCacheIT {
    private static final String TEAM = "rc-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static final String BASE = "/api/v1/teams/" + TEAM;
    private static CacheStack cs;

    @BeforeAll
    static void start() throws Exception {
        cs = new CacheStack();
    }

    @AfterAll
    static void stop() {
        if (cs != null) {
            cs.close();
        }
    }

    /** The reads compared between the cached instance and the shard-only one. */
    private static final List<String[]> READS = List.of(
            new String[] {"/channels/general/messages", "bob"},
            new String[] {"/channels/general/messages?limit=5", "bob"},
            new String[] {"/channels/general/messages?limit=200", "carol"},
            new String[] {"/channels/board/messages", "bob"},
            new String[] {"/channels/board/messages", "carol"},
            new String[] {"/channels/general/messages", "mallory"},
            new String[] {"/channels/nope/messages", "bob"});

    private static long hits() {
        return cs.cached.stats().get("hits").asLong();
    }

    /** Every read answers the same on both instances, and (when {@code fromCache}) the cached one answered from Redis. */
    private static void sameAsShard(final boolean fromCache) {
        for (String[] r : READS) {
            final long before = hits();
            final Http.Reply cached = cs.cached.get(BASE + r[0], r[1]);
            final boolean hit = hits() > before;
            final Http.Reply shard = cs.shardOnly.get(BASE + r[0], r[1]);
            assertThat(cached.status()).as(r[0] + " as " + r[1]).isEqualTo(shard.status());
            assertThat(cached.body()).as(r[0] + " as " + r[1]).isEqualTo(shard.body());
            assertThat(cached.raw()).as("byte for byte: " + r[0] + " as " + r[1]).isEqualTo(shard.raw());
            if (fromCache && !r[0].contains("nope") && !r[0].contains("limit=200")) {
                assertThat(hit).as("served from the cache: " + r[0] + " as " + r[1]).isTrue();
            }
        }
        // and the cursor pages of the cached instance walk the same history as the shard's
        String cursor = null;
        do {
            final String q = BASE + "/channels/general/messages?limit=3" + (cursor == null ? "" : "&before=" + cursor);
            final Http.Reply c = cs.cached.get(q, "bob");
            assertThat(c.raw()).isEqualTo(cs.shardOnly.get(q, "bob").raw());
            cursor = c.body().get("nextCursor").isNull() ? null : c.body().get("nextCursor").asText();
        } while (cursor != null);
    }

    /** Waits until both instances show {@code text} in #general (the shard has it and the cached instance caught up). */
    private static void awaitProjected(final String text) {
        await().atMost(Duration.ofSeconds(10)).until(() -> texts(cs.shardOnly, "general", "bob").contains(text)
                && texts(cs.cached, "general", "bob").contains(text));
    }

    private static List<String> texts(final Http api, final String channel, final String user) {
        final List<String> out = new ArrayList<>();
        api.get(BASE + "/channels/" + channel + "/messages?limit=200", user).body().path("messages")
                .forEach(m -> out.add(m.get("text").asText()));
        return out;
    }

    /** Whether the cached instance's Redis gate has a usable connection (for failure messages), and what a PING says. */
    private static String gateState(final boolean bytes) {
        final chat.common.redis.RedisGate gate = cs.cachedContext.getBean(chat.common.redis.RedisGate.class);
        try {
            return bytes ? gate.byteCommands().map(c -> "open, PING " + c.ping()).orElse("not open")
                    : gate.commands().map(c -> "open, PING " + c.ping()).orElse("not open");
        } catch (RuntimeException e) {
            return "open, PING failed: " + e;
        }
    }

    @Test
    @Order(1)
    void givenAChattingTeam_whenHistoryIsReadTwice_thenTheCacheServesExactlyTheShardsHistory() {
        final Http w = cs.cached;
        // Given alice's team (bob, carol), public #general and private #board (alice, bob)
        w.expect(201, "POST", "/api/v1/teams", "alice", "{\"teamId\":\"" + TEAM + "\"}");
        w.expect(200, "PUT", BASE + "/members/bob", "alice", null);
        w.expect(200, "PUT", BASE + "/members/carol", "alice", null);
        w.expect(201, "POST", BASE + "/channels", "alice", "{\"channelId\":\"general\"}");
        w.expect(201, "POST", BASE + "/channels", "alice", "{\"channelId\":\"board\",\"private\":true}");
        w.expect(200, "PUT", BASE + "/channels/board/members/bob", "alice", null);
        w.expect(200, "PUT", BASE + "/channels/general/members/bob", "bob", null);
        w.expect(200, "PUT", BASE + "/channels/general/members/carol", "carol", null);
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(w.post(TEAM, "general", i % 2 == 0 ? "bob" : "carol", "{\"text\":\"m" + i + "\"}"));
        }
        w.post(TEAM, "board", "alice", "{\"text\":\"secret plan\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> texts(cs.shardOnly, "general", "bob").size() == 12);

        // When read once (cold: from the shard, then filled) and again (warm)
        sameAsShard(false);
        sameAsShard(true);
        final long fillsWarm = cs.cached.stats().get("fills").asLong();
        final chat.projector.ProjectorService projector = cs.cachedContext.getBean(chat.projector.ProjectorService.class);
        final chat.projector.cache.ReadCacheWriter.Stats writerWarm = projector.cacheStats();

        // Then later changes are written through: edits, deletes, thread replies, a retried post
        w.expect(200, "PATCH", BASE + "/channels/general/messages/" + ids.get(3), "carol", "{\"text\":\"m3 edited\"}");
        // texts that imitate the stored object's field separators, escapes and non-ASCII survive the spliced edit
        final String tricky = "\"q\" ,\"createdAt\":\"x\",\"editedAt\":null} a/b \\ \u00e9 \ud83d\ude00 \t\u0001 end";
        w.expect(200, "PATCH", BASE + "/channels/general/messages/" + ids.get(4), "bob",
                Http.JSON.createObjectNode().put("text", tricky).toString());
        w.post(TEAM, "general", "bob", Http.JSON.createObjectNode().put("text", tricky + " posted").toString());
        w.expect(200, "DELETE", BASE + "/channels/general/messages/" + ids.get(5), "carol", null);
        final String reply = w.post(TEAM, "general", "carol", "{\"text\":\"re m0\",\"threadRootId\":\"" + ids.get(0) + "\"}");
        w.post(TEAM, "general", "bob", "{\"text\":\"re m0 again\",\"threadRootId\":\"" + ids.get(0) + "\"}");
        w.expect(200, "DELETE", BASE + "/channels/general/messages/" + reply, "carol", null);
        final String once = "{\"text\":\"only once\",\"clientMessageId\":\"c-1\"}";
        w.expect(201, "POST", BASE + "/channels/general/messages", "bob", once);
        w.send("POST", BASE + "/channels/general/messages", "bob", once);
        w.expect(200, "PUT", BASE + "/channels/board/members/carol", "alice", null);
        final String last = w.post(TEAM, "board", "carol", "{\"text\":\"carol is in\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> texts(cs.shardOnly, "board", "carol").contains("carol is in")
                && texts(cs.shardOnly, "general", "bob").contains("m3 edited") && texts(cs.shardOnly, "general", "bob").contains(tricky));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> sameAsShard(true));
        // A write-through that met a gap or failed (e.g. a Redis command timing out on a loaded machine)
        // leaves the partition to be refilled, which is correct (the reads above equal the shard's); only
        // when every write went through must nothing have been refilled.
        final chat.projector.cache.ReadCacheWriter.Stats writerNow = projector.cacheStats();
        if (writerNow.gaps() == writerWarm.gaps() && writerNow.failures() == writerWarm.failures()) {
            assertThat(cs.cached.stats().get("fills").asLong()).as("kept current by write-through, not refilled: writer " + writerNow)
                    .isEqualTo(fillsWarm);
        }
        final JsonNode root = cs.cached.get(BASE + "/channels/general/messages", "bob").body().get("messages");
        assertThat(root.get(root.size() - 1).get("messageId").asText()).isEqualTo(ids.get(0));
        assertThat(root.get(root.size() - 1).get("replyCount").asInt()).isEqualTo(1);
        assertThat(last).isNotEmpty();

        // and the deleted message's text is nowhere in Redis
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + cs.redisPort);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            final List<String> keys = c.sync().keys("rc:*");
            assertThat(keys).anyMatch(k -> k.contains(":b:" + TEAM + ":general"));
            for (String k : keys) {
                if (k.contains(":b:")) {
                    assertThat(c.sync().hvals(k)).noneMatch(v -> v.contains("\"m5\"") || v.contains("re m0\""));
                    assertThat(c.sync().hkeys(k)).doesNotContain(ids.get(5), reply);
                }
            }
        } finally {
            client.shutdown();
        }
        final JsonNode stats = cs.cached.stats();
        assertThat(stats.get("hitRate").asDouble()).as(stats.toString()).isGreaterThan(0.5);
        // The same counters for Prometheus (no reads run in between)
        final String scrape = cs.cached.text("/prometheus");
        assertThat(scrape).contains("# TYPE chat_read_cache_reads_total counter",
                "chat_read_cache_reads_total{read=\"history\",result=\"hit\"} " + stats.get("hits").asLong() + "\n",
                "chat_read_cache_reads_total{read=\"history\",result=\"cold\"} " + stats.get("cold").asLong() + "\n",
                "chat_read_cache_fills_total{read=\"history\"} " + stats.get("fills").asLong() + "\n",
                "chat_read_cache_reads_total{read=\"list\",result=\"hit\"} ",
                "chat_auth_token_cache_lookups_total{result=\"hit\"} ", "chat_auth_token_cache_entries ");
    }

    @Test
    @Order(2)
    void givenRedisStopped_whenReadingAndWriting_thenReadsComeFromTheShardAndWritesWork_andWhenItReturnsTheCacheRecovers()
            throws Exception {
        // Given a client that retries at most a second apart (RedisReconnect; Lettuce alone waits up to 30 s)
        assertThat(cs.cachedContext.getBean(RedisClient.class).getResources().reconnectDelay().createDelay(40))
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
        // and a warm cache, saved to disk so the restarted Redis comes back with what it held (stale by then)
        sameAsShard(true);
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + cs.redisPort);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().save();
        } finally {
            client.shutdown();
        }
        cs.stopRedis();
        final long unavailableBefore = cs.cached.stats().get("unavailable").asLong() + cs.cached.stats().get("errors").asLong();

        // When writing and reading while Redis is down
        final String id = cs.cached.post(TEAM, "general", "bob", "{\"text\":\"while redis is down\"}");
        cs.cached.expect(200, "PATCH", BASE + "/channels/general/messages/" + id, "bob", "{\"text\":\"edited while down\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> texts(cs.shardOnly, "general", "bob").contains("edited while down"));

        // Then reads are the shard's
        sameAsShard(false);
        final JsonNode down = cs.cached.stats();
        assertThat(down.get("unavailable").asLong() + down.get("errors").asLong()).isGreaterThan(unavailableBefore);

        // When Redis returns with its old (now stale) data
        final chat.projector.ProjectorService projector = cs.cachedContext.getBean(chat.projector.ProjectorService.class);
        final long appliedBeforeReturn = projector.cacheStats().applied();
        cs.startRedis();
        // (a write after the return: once the writer (one thread, in order) has applied it, every write of the
        // outage has failed and been marked stale before it, so "nothing stale" below is final)
        cs.cached.post(TEAM, "general", "bob", "{\"text\":\"while redis comes back\"}");
        // Compare only once the write is projected: the two instances' reads are not simultaneous, so a
        // commit landing between them would differ without anything stale being served.
        awaitProjected("while redis comes back");
        // Then no read ever serves the stale copy, and the cache becomes valid again without a restart
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean warm = false;
        long nextPost = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!warm && System.nanoTime() < deadline) {
            if (projector.cacheStats().applied() <= appliedBeforeReturn && System.nanoTime() > nextPost) {
                // that write may have reached the writer before its connection was back (then it failed and
                // marked the partition stale); the next one, once applied, gives the same guarantee
                final String again = "while redis comes back, again at " + System.nanoTime();
                cs.cached.post(TEAM, "general", "bob", "{\"text\":\"" + again + "\"}");
                awaitProjected(again);
                nextPost = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
            final long before = hits();
            sameAsShard(false);
            // warm again, and the projector has marked what it missed during the outage (a later
            // invalidation would only cost one more fill, but this test counts fills)
            final chat.projector.cache.ReadCacheWriter.Stats writer = projector.cacheStats();
            warm = hits() - before >= 5 && writer.applied() > appliedBeforeReturn && writer.queued() == 0
                    && writer.stalePartitions() == 0;
            if (!warm) {
                Thread.sleep(100); // polling a condition; every round asserts equality with the shard
            }
        }
        assertThat(warm).as("cache served again after Redis returned: reads " + cs.cached.stats() + ", projector's cache writer "
                + projector.cacheStats() + " (applied before the return: " + appliedBeforeReturn + "), gate: strings "
                + gateState(false) + ", bytes " + gateState(true)).isTrue();
        final long fills = cs.cached.stats().get("fills").asLong();
        cs.cached.post(TEAM, "general", "carol", "{\"text\":\"after the outage\"}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(texts(cs.cached, "general", "bob")).contains("after the outage");
            sameAsShard(true);
        });
        assertThat(cs.cached.stats().get("fills").asLong()).as("written through again").isEqualTo(fills);
    }
}
