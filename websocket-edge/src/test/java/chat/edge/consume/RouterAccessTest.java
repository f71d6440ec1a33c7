package chat.edge.consume;

import chat.edge.FakeOutbound;
import chat.edge.TestEvents;
import chat.edge.access.MembershipSnapshot;
import chat.edge.access.TeamView;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.delivery.TeamStream;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessagePosted;
import chat.events.TeamMemberLeft;
import chat.schemas.EventCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The router with membership views: filtering in log order, and loading a view without a race. */
class RouterAccessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEAM = "t1";
    private EdgeStats stats;
    private SubscriptionRegistry registry;
    private Router router;
    private int partition;
    private final AtomicReference<MembershipSnapshot> snapshot = new AtomicReference<>();
    private final AtomicInteger loads = new AtomicInteger();
    private TeamViews views;

    @BeforeEach
    void setUp() {
        stats = new EdgeStats();
        registry = new SubscriptionRegistry(stats, 10);
        router = new Router("dev.x", registry, stats, new LogTails(12, Map.of(), 100, 1 << 20));
        views = new TeamViews(router, (team, p) -> {
            loads.incrementAndGet();
            return snapshot.get();
        }, Duration.ofSeconds(5), 1000);
        router.useViews(views);
        partition = router.partitionOf(TEAM);
    }

    private static MembershipSnapshot at(final long next) {
        return new MembershipSnapshot(next, Set.of("alice", "bob"), Set.of("general"), Map.of("secret", Set.of("alice")));
    }

    private void route(final long offset, final Object payload) {
        router.route(RouterTest.record(partition, offset, TEAM, EventCodec.encode(TestEvents.envelope(TEAM, payload))));
    }

    private static Object post(final String channel, final String text) {
        return MessagePosted.newBuilder().setChannelId(channel).setMessageId(text).setText(text).build();
    }

    private Connection subscribe(final String user, final FakeOutbound out) throws Exception {
        final Connection c = new Connection(user, user, "127.0.0.1", out, new QueueLimits(100, 1 << 20), stats,
                registry::closed);
        registry.open(c);
        final TeamView v = views.acquire(TEAM);
        try {
            assertThat(v.isTeamMember(user)).isTrue();
            registry.subscribe(c, TeamStream.live(c, TEAM, -1));
        } finally {
            views.release(TEAM);
        }
        return c;
    }

    private static List<String> texts(final FakeOutbound out) throws Exception {
        final List<String> t = new ArrayList<>();
        for (String s : out.texts()) {
            final JsonNode f = JSON.readTree(s);
            t.add(f.path("type").asText().equals("event")
                    ? f.at("/event/type").asText() + ":" + f.at("/event/text").asText(f.at("/event/userId").asText())
                    : f.path("type").asText() + ":" + f.path("code").asText());
        }
        return t;
    }

    @Test
    void givenOneBatchWithMembershipChanges_thenEachEventReachesExactlyWhoMaySeeItAtItsPosition() throws Exception {
        // Given alice (member of the private "secret") and bob (team member only), view at offset 0
        snapshot.set(at(0));
        final FakeOutbound alice = FakeOutbound.fast();
        final FakeOutbound bob = FakeOutbound.fast();
        subscribe("alice", alice);
        subscribe("bob", bob);
        // When one poll batch holds an invite, posts, a leave, and alice's removal from the team
        route(0, post("secret", "s1"));
        route(1, MemberJoined.newBuilder().setChannelId("secret").setUserId("bob").setInvitedBy("alice").build());
        route(2, post("secret", "s2"));
        route(3, MemberLeft.newBuilder().setChannelId("secret").setUserId("bob").build());
        route(4, post("secret", "s3"));
        route(5, TeamMemberLeft.newBuilder().setUserId("alice").build());
        route(6, post("general", "g1"));
        route(7, post("secret", "s4"));
        // Then
        assertThat(texts(alice)).containsExactly("MessagePosted:s1", "MemberJoined:bob", "MessagePosted:s2",
                "MemberLeft:bob", "MessagePosted:s3", "TeamMemberLeft:alice", "unsubscribed:NOT_TEAM_MEMBER");
        assertThat(texts(bob)).containsExactly("MemberJoined:bob", "MessagePosted:s2", "MemberLeft:bob",
                "TeamMemberLeft:alice", "MessagePosted:g1");
        assertThat(registry.subscribers(TEAM)).hasSize(1);
    }

    @Test
    void givenProjectorBehindTheEdge_whenLoading_thenTheMissingEventsComeFromTheBuffer() throws Exception {
        // Given the edge routed offsets 0..2 (bob invited at 1) while the shard's checkpoint is still 0
        route(0, post("general", "g0"));
        route(1, MemberJoined.newBuilder().setChannelId("secret").setUserId("bob").setInvitedBy("alice").build());
        route(2, post("general", "g1"));
        snapshot.set(at(0));
        // When bob subscribes
        final FakeOutbound bob = FakeOutbound.fast();
        subscribe("bob", bob);
        route(3, post("secret", "s1"));
        // Then the view includes the invite the shard did not have yet
        assertThat(texts(bob)).containsExactly("MessagePosted:s1");
    }

    @Test
    void givenProjectorAheadOfTheEdge_whenLoading_thenTheViewWaitsForTheConsumerAndSkipsWhatTheSnapshotHolds()
            throws Exception {
        // Given a shard that already applied offsets 0..1 (bob invited at 1) while the edge routed only 0
        route(0, post("general", "g0"));
        snapshot.set(new MembershipSnapshot(2, Set.of("alice", "bob"), Set.of("general"),
                Map.of("secret", Set.of("alice", "bob"))));
        final FakeOutbound bob = FakeOutbound.fast();
        final CompletableFuture<Connection> subscribing = CompletableFuture.supplyAsync(() -> {
            try {
                return subscribe("bob", bob);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100); // the loader has the snapshot and waits for the consumer to reach offset 2
        assertThat(subscribing).isNotDone();
        // When the consumer routes offset 1 (already in the snapshot: applying it again changes nothing)
        route(1, MemberJoined.newBuilder().setChannelId("secret").setUserId("bob").setInvitedBy("alice").build());
        subscribing.get(5, java.util.concurrent.TimeUnit.SECONDS);
        route(2, post("secret", "s1"));
        // Then
        assertThat(texts(bob)).containsExactly("MessagePosted:s1");
        assertThat(loads.get()).isEqualTo(1);
    }

    @Test
    void givenUnreadableShard_thenAcquireFailsAndNoViewIsLeftBehind() {
        final TeamViews failing = new TeamViews(router, (team, p) -> {
            throw new java.sql.SQLException("shard down");
        }, Duration.ofSeconds(1), 1000);
        assertThatThrownBy(() -> failing.acquire(TEAM)).isInstanceOf(TeamViews.Unavailable.class)
                .hasMessageContaining("shard down");
        assertThat(failing.size()).isZero();
    }

    @Test
    void givenNoSubscriberLeft_thenTheViewIsDroppedAtTheTeamsNextEvent() throws Exception {
        snapshot.set(at(0));
        final FakeOutbound alice = FakeOutbound.fast();
        final Connection c = subscribe("alice", alice);
        assertThat(views.size()).isEqualTo(1);
        registry.unsubscribe(c, TEAM);
        route(0, post("general", "g0"));
        assertThat(views.size()).isZero();
    }
}
