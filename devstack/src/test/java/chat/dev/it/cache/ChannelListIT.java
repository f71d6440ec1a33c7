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
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The channel list from the Redis read cache end to end, with a small unread window (5) so that
 * every path of the unread count is taken: no read marker (exact totals), a marker inside the
 * window (counted in Redis), a marker below it (answered by the shard). Each list is compared byte
 * for byte with an instance that reads only the shard, after private channels, archives, topic
 * changes, leave/join, read markers, deletes of roots inside and beyond the window, replies and a
 * retried post; a private channel never appears in an outsider's list; with Redis stopped the
 * lists come from the shard and writes go on, and when Redis returns the cache recovers by itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChannelListIT {
    private static final String TEAM = "cl-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static final String BASE = "/api/v1/teams/" + TEAM;
    private static final List<String> USERS = List.of("alice", "bob", "carol", "dave", "mallory");
    private static CacheStack cs;
    private static final List<String> general = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cs = new CacheStack(Map.of("chat.read-cache.window", 5,
                "chat.projector.application-id", "channel-list-it-" + ProcessHandle.current().pid()));
    }

    @AfterAll
    static void stop() {
        if (cs != null) {
            cs.close();
        }
    }

    private static JsonNode listStats() {
        return cs.cached.stats().get("channelList");
    }

    private static long hits() {
        return listStats().get("hits").asLong();
    }

    /**
     * Every user's list answers the same on both instances; with {@code fromCache}, the cached one
     * answered from Redis for everyone except {@code shallow} (a read marker below the window).
     */
    private static void sameAsShard(final boolean fromCache, final Set<String> shallow) {
        for (String user : USERS) {
            final long before = hits();
            final Http.Reply cached = cs.cached.get(BASE + "/channels", user);
            final boolean hit = hits() > before;
            final Http.Reply shard = cs.shardOnly.get(BASE + "/channels", user);
            assertThat(cached.status()).as("list of " + user).isEqualTo(shard.status());
            assertThat(cached.raw()).as("byte for byte: list of " + user).isEqualTo(shard.raw());
            if (fromCache) {
                assertThat(hit).as("served from the cache: list of " + user + " " + cs.cached.stats()).isEqualTo(!shallow.contains(user));
            }
        }
    }

    private static JsonNode channel(final Http api, final String user, final String channel) {
        for (JsonNode c : api.get(BASE + "/channels", user).body().path("channels")) {
            if (c.get("channelId").asText().equals(channel)) {
                return c;
            }
        }
        return null;
    }

    private static void read(final String user, final String channel, final String messageId) {
        cs.cached.expect(200, "POST", BASE + "/channels/" + channel + "/messages/" + messageId + "/read", user, null);
    }

    /** Waits until the shard-only instance shows {@code text} as the newest message of {@code channel}. */
    private static void awaitShard(final String channel, final String text) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            final JsonNode m = cs.shardOnly.get(BASE + "/channels/" + channel + "/messages?limit=1", "alice").body().path("messages");
            return m.size() == 1 && m.get(0).get("text").asText().equals(text);
        });
    }

    @Test
    @Order(1)
    void givenATeamWithPublicAndPrivateChannels_whenListsAreReadTwice_thenTheCacheServesExactlyTheShardsLists() {
        final Http w = cs.cached;
        // Given alice's team (bob, carol, dave), channels in mixed case, private #board (alice, bob)
        w.expect(201, "POST", "/api/v1/teams", "alice", "{\"teamId\":\"" + TEAM + "\"}");
        for (String u : List.of("bob", "carol", "dave")) {
            w.expect(200, "PUT", BASE + "/members/" + u, "alice", null);
        }
        w.expect(201, "POST", BASE + "/channels", "alice", "{\"channelId\":\"general\",\"name\":\"General \\\"chat\\\" \u00e9\"}");
        w.expect(201, "POST", BASE + "/channels", "alice", "{\"channelId\":\"Zeta\",\"topic\":\"upper case sorts first\"}");
        w.expect(201, "POST", BASE + "/channels", "alice", "{\"channelId\":\"_under\"}");
        w.expect(201, "POST", BASE + "/channels", "alice", "{\"channelId\":\"board\",\"private\":true}");
        w.expect(200, "PUT", BASE + "/channels/board/members/bob", "alice", null);
        for (String u : List.of("bob", "carol", "dave")) {
            w.expect(200, "PUT", BASE + "/channels/general/members/" + u, u, null);
        }
        for (int i = 0; i < 9; i++) {
            general.add(w.post(TEAM, "general", List.of("alice", "bob", "carol").get(i % 3), "{\"text\":\"g" + i + "\"}"));
        }
        w.post(TEAM, "board", "bob", "{\"text\":\"secret\"}");
        // bob read the oldest message only: 8 roots after his marker, more than the window of 5
        read("bob", "general", general.get(0));
        // carol read up to g6: inside the window
        read("carol", "general", general.get(6));
        w.post(TEAM, "Zeta", "alice", "{\"text\":\"z0\"}");
        awaitShard("Zeta", "z0");

        // When read once (cold: from the shard, then filled) and again
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> sameAsShard(false, Set.of()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> sameAsShard(true, Set.of("bob")));

        // Then the unread counts are the shard's definition: root messages by others after the marker
        final JsonNode g = channel(cs.cached, "carol", "general");
        assertThat(g.get("unread").asInt()).as("after g6 only g7 (bob) and g8 (carol's own)").isEqualTo(1);
        assertThat(channel(cs.cached, "alice", "general").get("unread").asInt()).as("no marker: all 6 by others").isEqualTo(6);
        assertThat(channel(cs.cached, "dave", "general").get("unread").asInt()).isEqualTo(9);
        assertThat(channel(cs.cached, "dave", "board")).as("private channel hidden from a team member outside it").isNull();
        assertThat(channel(cs.cached, "dave", "Zeta").get("unread").isNull()).as("not a member: no count").isTrue();
        assertThat(cs.cached.get(BASE + "/channels", "mallory").code()).isEqualTo("TEAM_NOT_FOUND");
        final List<String> order = new ArrayList<>();
        cs.cached.get(BASE + "/channels", "bob").body().path("channels").forEach(c -> order.add(c.get("channelId").asText()));
        assertThat(order).containsExactly("Zeta", "_under", "board", "general");
        assertThat(listStats().get("shallow").asLong()).as("bob's old marker went to the shard").isGreaterThan(0);
        assertThat(listStats().get("fills").asLong()).isGreaterThan(0);
    }

    @Test
    @Order(2)
    void givenAWarmList_whenTheTeamChanges_thenTheListIsWrittenThroughAndStaysTheShards() {
        final Http w = cs.cached;
        final long fills = listStats().get("fills").asLong();
        // topic changes (to a tricky value and back to none), an archive, leave and join, invite to the private channel
        w.expect(200, "PATCH", BASE + "/channels/Zeta", "alice",
                Http.JSON.createObjectNode().put("topic", "\"q\" ,\"archived\":true} \u00e9 \ud83d\ude00").toString());
        w.expect(200, "PATCH", BASE + "/channels/general", "bob", "{\"topic\":\"news\"}");
        w.expect(200, "POST", BASE + "/channels/_under/archive", "alice", null);
        w.expect(200, "DELETE", BASE + "/channels/general/members/dave", "dave", null);
        w.expect(200, "PUT", BASE + "/channels/board/members/carol", "alice", null);
        w.expect(200, "PUT", BASE + "/channels/Zeta/members/dave", "dave", null);
        // a channel created after the fill
        w.expect(201, "POST", BASE + "/channels", "carol", "{\"channelId\":\"late\",\"private\":true}");
        w.post(TEAM, "late", "carol", "{\"text\":\"late one\"}");
        // deletes: a root beyond the window (g1), one inside it (g8), a reply; replies count as activity only
        w.expect(200, "DELETE", BASE + "/channels/general/messages/" + general.get(1), "bob", null);
        w.expect(200, "DELETE", BASE + "/channels/general/messages/" + general.get(8), "alice", null);
        final String reply = w.post(TEAM, "general", "carol", "{\"text\":\"re\",\"threadRootId\":\"" + general.get(7) + "\"}");
        w.expect(200, "DELETE", BASE + "/channels/general/messages/" + reply, "carol", null);
        w.post(TEAM, "general", "bob", "{\"text\":\"re2\",\"threadRootId\":\"" + general.get(7) + "\"}");
        // a retried post is stored once (its second event must not count)
        final String once = "{\"text\":\"only once\",\"clientMessageId\":\"cl-1\"}";
        w.expect(201, "POST", BASE + "/channels/general/messages", "carol", once);
        w.send("POST", BASE + "/channels/general/messages", "carol", once);
        // read markers: dave catches up in Zeta, carol reads up to the newest, alice marks an old one (below the window)
        w.expect(200, "PUT", BASE + "/channels/Zeta/members/bob", "bob", null);
        w.expect(200, "PUT", BASE + "/channels/Zeta/members/carol", "carol", null);
        final String z1 = w.post(TEAM, "Zeta", "bob", "{\"text\":\"z1\"}");
        w.post(TEAM, "Zeta", "carol", "{\"text\":\"z2\"}");
        read("dave", "Zeta", z1);
        final String last = w.post(TEAM, "general", "bob", "{\"text\":\"the end\"}");
        read("carol", "general", last);
        read("alice", "general", general.get(2));
        read("carol", "general", general.get(3)); // a marker never moves back
        awaitShard("general", "the end");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> sameAsShard(true, Set.of("bob", "alice")));
        assertThat(listStats().get("fills").asLong()).as("kept current by write-through, not refilled").isEqualTo(fills);
        assertThat(channel(cs.cached, "carol", "general").get("unread").asInt()).isZero();
        assertThat(channel(cs.cached, "dave", "Zeta").get("unread").asInt()).as("z2 by carol").isEqualTo(1);
        assertThat(channel(cs.cached, "dave", "general").get("member").asBoolean()).isFalse();
        assertThat(channel(cs.cached, "carol", "board").get("member").asBoolean()).isTrue();
        assertThat(channel(cs.cached, "dave", "board")).isNull();
        assertThat(channel(cs.cached, "dave", "late")).as("a new private channel stays private").isNull();
        assertThat(channel(cs.cached, "bob", "_under").get("archived").asBoolean()).isTrue();
    }

    @Test
    @Order(3)
    void givenRedisStopped_whenListingAndWriting_thenListsComeFromTheShard_andWhenItReturnsTheCacheRecovers() throws Exception {
        // Given a warm cache saved to disk, so the restarted Redis comes back with what it held (stale by then)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> sameAsShard(true, Set.of("bob", "alice")));
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + cs.redisPort);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().save();
        } finally {
            client.shutdown();
        }
        cs.stopRedis();
        final long downBefore = listStats().get("unavailable").asLong() + listStats().get("errors").asLong();

        // When writing while Redis is down
        final String id = cs.cached.post(TEAM, "Zeta", "bob", "{\"text\":\"while redis is down\"}");
        cs.cached.expect(200, "PATCH", BASE + "/channels/Zeta", "bob", "{\"topic\":\"changed while down\"}");
        read("dave", "Zeta", id);
        awaitShard("Zeta", "while redis is down");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                cs.shardOnly.get(BASE + "/channels", "dave").raw().contains("changed while down")
                        && channel(cs.shardOnly, "dave", "Zeta").get("unread").asInt() == 0);

        // Then lists are the shard's
        sameAsShard(false, Set.of());
        assertThat(listStats().get("unavailable").asLong() + listStats().get("errors").asLong()).isGreaterThan(downBefore);

        // When Redis returns with its old data, and one more write
        cs.startRedis();
        cs.cached.post(TEAM, "general", "carol", "{\"text\":\"back\"}");
        awaitShard("general", "back");
        // Then no list ever serves the stale copy, and the cache serves again without a restart
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean warm = false;
        while (!warm && System.nanoTime() < deadline) {
            final long before = hits();
            sameAsShard(false, Set.of());
            warm = hits() - before >= 3;
            if (!warm) {
                Thread.sleep(100); // polling a condition; every round asserts equality with the shard
            }
        }
        assertThat(warm).as("lists served from the cache again: " + cs.cached.stats()).isTrue();
        cs.cached.post(TEAM, "general", "alice", "{\"text\":\"after the outage\"}");
        awaitShard("general", "after the outage");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> sameAsShard(true, Set.of("bob", "alice")));
    }
}
