package chat.edge.presence;

import chat.common.redis.PresenceKeys;
import chat.common.redis.RedisGate;
import chat.dev.embedded.EmbeddedRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The presence scripts against a real Redis: states, changes published only on change, expiry and sweep. */
class RedisPresenceStoreIT {
    @TempDir
    static Path dir;
    private static EmbeddedRedisServer redis;
    private static RedisClient client;
    private static RedisGate gate;
    private static StatefulRedisPubSubConnection<String, String> pubsub;
    private static final List<String> published = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        redis = new EmbeddedRedisServer(dir.resolve("redis"), 0);
        redis.start();
        client = RedisClient.create(redis.uri());
        gate = new RedisGate(client, Duration.ofSeconds(2), Duration.ofSeconds(1));
        pubsub = client.connectPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(final String channel, final String message) {
                published.add(channel + "|" + message);
            }
        });
        pubsub.sync().subscribe(PresenceKeys.PRESENCE_CHANNEL, PresenceKeys.TYPING_CHANNEL);
    }

    @AfterAll
    static void stop() {
        pubsub.close();
        gate.close();
        client.shutdown();
        redis.close();
    }

    @Test
    void givenTwoConnectionsOfOneUser_thenStateIsTheBestOfThem_andOnlyChangesArePublished() {
        final RedisPresenceStore store = new RedisPresenceStore(gate);
        published.clear();
        store.join("e1:a", "bob", "t1", "online", 30_000);
        store.join("e2:b", "bob", "t1", "online", 30_000);      // no change
        assertThat(store.refresh(List.of("e1:a", "e2:b", "e3:zz"), 30_000)).containsExactly("e3:zz"); // heartbeat: no change
        store.setState("e1:a", "away");                          // e2:b still online: no change
        assertThat(store.query("t1", List.of("bob", "nobody"))).containsExactly("online", "offline");
        store.drop("e2:b");                                      // -> away
        store.setState("e1:a", "online");                        // -> online
        store.leave("e1:a", "t1");                               // -> offline
        store.typing("t1", "general", "bob");

        await().atMost(Duration.ofSeconds(5)).alias("published: " + published).until(() -> published.size() >= 5);
        assertThat(published).containsExactly(
                "chat.presence|t1 bob online",
                "chat.presence|t1 bob away",
                "chat.presence|t1 bob online",
                "chat.presence|t1 bob offline",
                "chat.typing|t1 general bob");
    }

    @Test
    void givenAConnectionWhoseEdgeStoppedRefreshing_whenItsTtlLapses_thenQueryAndSweepSayOffline() {
        final RedisPresenceStore store = new RedisPresenceStore(gate);
        store.join("dead:1", "carol", "t2", "online", 300);
        store.join("dead:1", "carol", "t3", "online", 300);
        assertThat(store.query("t2", List.of("carol"))).containsExactly("online");
        // pub/sub is asynchronous: let both "online" changes arrive before watching for "offline"
        await().atMost(Duration.ofSeconds(5)).until(() -> published.containsAll(
                List.of("chat.presence|t2 carol online", "chat.presence|t3 carol online")));
        published.clear();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(store.query("t2", List.of("carol"))).containsExactly("offline"));
        assertThat(store.sweep(100)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 2);
        assertThat(published).containsExactlyInAnyOrder("chat.presence|t2 carol offline", "chat.presence|t3 carol offline");
        assertThat(store.sweep(100)).isZero();
        assertThat(gate.commands().orElseThrow().exists(PresenceKeys.connection("dead:1"),
                PresenceKeys.user("t2", "carol"), PresenceKeys.counts("t2", "carol"))).isZero();
    }

    @Test
    void givenOneUserWithThousandsOfConnections_thenJoinsAndLeavesNeverReadTheUsersConnections() {
        final RedisPresenceStore store = new RedisPresenceStore(gate);
        final int n = 3000;
        final long readsBefore = hashReads();
        published.clear();
        for (int i = 0; i < n; i++) {
            store.join("big:" + i, "dave", "t4", i % 2 == 0 ? "away" : "online", 30_000);
        }
        store.join("big:1", "dave", "t4", "online", 30_000); // again: counted once
        assertThat(store.query("t4", List.of("dave"))).containsExactly("online");
        for (int i = 1; i < n; i += 2) {
            store.leave("big:" + i, "t4"); // every online one leaves -> away
        }
        store.leave("big:1", "t4");          // not in the team any more: no change
        for (int i = 0; i < n; i += 2) {
            store.drop("big:" + i);          // -> offline
        }
        // every script decides from the O(1) counters: no HGETALL/HSCAN of the user's 3,000
        // connections (the one query may scan a little; drops read their own connection's hash)
        assertThat(hashReads() - readsBefore).isLessThanOrEqualTo(n / 2 + 10);
        await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 4);
        assertThat(published).containsExactly("chat.presence|t4 dave away", "chat.presence|t4 dave online",
                "chat.presence|t4 dave away", "chat.presence|t4 dave offline");
        assertThat(gate.commands().orElseThrow().exists(PresenceKeys.user("t4", "dave"),
                PresenceKeys.counts("t4", "dave"))).isZero();
    }

    @Test
    void givenAnExpiredConnectionNotYetSwept_thenTheQueryIgnoresIt_andALiveOneStillCounts() {
        final RedisPresenceStore store = new RedisPresenceStore(gate);
        store.join("gone:1", "erin", "t5", "online", 200);
        store.join("here:1", "erin", "t5", "away", 30_000);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(store.query("t5", List.of("erin"))).containsExactly("away"));
        store.sweep(100);
        assertThat(store.query("t5", List.of("erin"))).containsExactly("away");
        store.setState("here:1", "online");
        assertThat(store.query("t5", List.of("erin"))).containsExactly("online");
        store.drop("here:1");
        assertThat(store.query("t5", List.of("erin"))).containsExactly("offline");
    }

    /** HGETALL + HSCAN calls Redis served so far (scripts' calls included). */
    private static long hashReads() {
        final String info = gate.commands().orElseThrow().info("commandstats");
        long n = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_hgetall:") || line.startsWith("cmdstat_hscan:")) {
                n += Long.parseLong(line.replaceAll("^[^:]+:calls=(\\d+).*$", "$1"));
            }
        }
        return n;
    }
}
