package chat.edge.presence;

import chat.edge.FakeOutbound;
import chat.edge.access.MembershipSnapshot;
import chat.edge.access.TeamView;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PresenceTest {
    /** Records calls; {@code down} makes every call fail like Redis away. */
    static final class RecordingStore implements PresenceStore {
        final List<String> calls = new ArrayList<>();
        final Set<String> known = new java.util.HashSet<>();
        boolean down;

        private void check() {
            if (down) {
                throw new Unavailable("down", null);
            }
        }

        @Override
        public void join(final String conn, final String user, final String team, final String state, final long ttlMs) {
            check();
            known.add(conn);
            calls.add("join " + user + " " + team + " " + state);
        }

        @Override
        public void leave(final String conn, final String team) {
            check();
            calls.add("leave " + team);
        }

        @Override
        public void drop(final String conn) {
            check();
            known.remove(conn);
            calls.add("drop");
        }

        @Override
        public void setState(final String conn, final String state) {
            check();
            calls.add("state " + state);
        }

        @Override
        public List<String> refresh(final List<String> conns, final long ttlMs) {
            check();
            calls.add("refresh " + conns.size());
            return conns.stream().filter(c -> !known.contains(c)).toList();
        }

        @Override
        public long sweep(final int limit) {
            check();
            return 0;
        }

        @Override
        public List<String> query(final String team, final List<String> users) {
            return List.of();
        }

        @Override
        public void typing(final String team, final String channel, final String user) {
            check();
            calls.add("typing " + team + " " + channel + " " + user);
        }
    }

    private RecordingStore store;
    private SubscriptionRegistry registry;
    private Presence presence;
    private final AtomicLong ids = new AtomicLong();

    @BeforeEach
    void setUp() {
        store = new RecordingStore();
        registry = new SubscriptionRegistry(new EdgeStats(), 10);
        presence = new Presence(store, Runnable::run, "e1", 30_000);
        registry.listen(presence);
    }

    private Connection connect(final String user, final FakeOutbound out) {
        final Connection c = new Connection("s" + ids.incrementAndGet(), user, "127.0.0.1", out,
                new QueueLimits(100, 1 << 20), new EdgeStats(), registry::closed);
        registry.open(c);
        return c;
    }

    @Test
    void givenSubscriptions_whenHeartbeat_thenOneBatchedRefreshWhateverTheTeams() {
        // Given three connections in two teams each
        for (int i = 0; i < 3; i++) {
            final Connection c = connect("u" + i, FakeOutbound.fast());
            registry.subscribe(c, "t1");
            registry.subscribe(c, "t2");
        }
        store.calls.clear();

        // When the timer beats
        presence.heartbeat();

        // Then one refresh call covers all three connections, and no join or broadcast happens
        assertThat(store.calls).containsExactly("refresh 3");
    }

    @Test
    void givenConnection_whenItSubscribesGoesAwayUnsubscribesAndCloses_thenTheStoreFollows() {
        final Connection c = connect("bob", FakeOutbound.fast());
        registry.subscribe(c, "t1");
        presence.setState(c, "away", null);
        registry.subscribe(c, "t2");
        registry.unsubscribe(c, "t1");
        c.close(4000, "bye");

        assertThat(store.calls).containsExactly("join bob t1 online", "state away", "join bob t2 away", "leave t1", "drop");
        assertThat(presence.trackedConnections()).isZero();
    }

    @Test
    void givenRedisWasAway_whenHeartbeatFindsTheConnectionUnknown_thenItJoinsAgain() {
        // Given a join lost while Redis was away
        final Connection c = connect("bob", FakeOutbound.fast());
        store.down = true;
        registry.subscribe(c, "t1");
        store.down = false;
        assertThat(store.calls).isEmpty();

        // When the next heartbeat runs
        presence.heartbeat();

        // Then the connection is registered again in its teams
        assertThat(store.calls).containsExactly("refresh 1", "join bob t1 online");
    }

    @Test
    void givenNoStore_whenPresenceOp_thenPresenceUnavailableErrorAndNothingElse() {
        final Presence none = Presence.unavailable();
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = connect("bob", out);
        none.setState(c, "away", "r1");
        assertThat(out.texts()).singleElement().asString().contains("\"code\":\"PRESENCE_UNAVAILABLE\"", "\"id\":\"r1\"");
        assertThat(c.isTerminated()).isFalse();
    }

    @Test
    void givenRedisDown_whenTyping_thenPresenceUnavailableError() {
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = connect("bob", out);
        store.down = true;
        presence.typing(c, "t1", "general", "r2");
        assertThat(out.texts()).singleElement().asString().contains("PRESENCE_UNAVAILABLE");
    }

    @Test
    void givenPresenceAndTypingMessages_thenTheMembershipViewDecidesWhoGetsThem() {
        // Given alice and bob in t1 ("secret" is private with alice), mallory subscribed but not a member
        final TeamView view = TeamView.of("t1", new MembershipSnapshot(0, Set.of("alice", "bob"), Set.of("general"),
                Map.of("secret", Set.of("alice", "carol"))));
        final FakeOutbound alice = FakeOutbound.fast();
        final FakeOutbound bob = FakeOutbound.fast();
        final FakeOutbound mallory = FakeOutbound.fast();
        registry.subscribe(connect("alice", alice), "t1");
        registry.subscribe(connect("bob", bob), "t1");
        registry.subscribe(connect("mallory", mallory), "t1");
        final PresenceFanout fanout = new PresenceFanout(registry, new PresenceFanout.Views() {
            @Override
            public boolean filtering() {
                return true;
            }

            @Override
            public TeamView view(final String team) {
                return "t1".equals(team) ? view : null;
            }
        });

        // When
        assertThat(fanout.onPresence("t1 carol away")).isEqualTo(2);
        assertThat(fanout.onTyping("t1 secret carol")).isEqualTo(1);
        assertThat(fanout.onTyping("t1 general alice")).isEqualTo(1);
        assertThat(fanout.onPresence("t9 carol away")).isZero();

        // Then
        assertThat(alice.texts()).containsExactly(
                "{\"type\":\"presence\",\"teamId\":\"t1\",\"userId\":\"carol\",\"state\":\"away\"}",
                "{\"type\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"secret\",\"userId\":\"carol\"}");
        assertThat(bob.texts()).containsExactly(
                "{\"type\":\"presence\",\"teamId\":\"t1\",\"userId\":\"carol\",\"state\":\"away\"}",
                "{\"type\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"general\",\"userId\":\"alice\"}");
        assertThat(mallory.texts()).isEmpty();
    }

    @Test
    void givenATeamAboveTheBroadcastLimit_thenItsPresenceChangesAreNotPushed_butTypingStillIs() {
        // Given t1 with 3 members and t2 with 2, a limit of 2 members
        final TeamView big = TeamView.of("t1", new MembershipSnapshot(0, Set.of("alice", "bob", "carol"), Set.of("general"), Map.of()));
        final TeamView small = TeamView.of("t2", new MembershipSnapshot(0, Set.of("alice", "bob"), Set.of("general"), Map.of()));
        final FakeOutbound alice = FakeOutbound.fast();
        final Connection a = connect("alice", alice);
        registry.subscribe(a, "t1");
        registry.subscribe(a, "t2");
        final PresenceFanout fanout = new PresenceFanout(registry, new PresenceFanout.Views() {
            @Override
            public boolean filtering() {
                return true;
            }

            @Override
            public TeamView view(final String team) {
                return "t1".equals(team) ? big : "t2".equals(team) ? small : null;
            }
        }, 2);

        // When
        assertThat(fanout.onPresence("t1 bob away")).isZero();
        assertThat(fanout.onPresence("t2 bob away")).isEqualTo(1);
        assertThat(fanout.onTyping("t1 general bob")).isEqualTo(1);

        // Then
        assertThat(fanout.suppressed()).isEqualTo(1);
        assertThat(alice.texts()).containsExactly(
                "{\"type\":\"presence\",\"teamId\":\"t2\",\"userId\":\"bob\",\"state\":\"away\"}",
                "{\"type\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"general\",\"userId\":\"bob\"}");
    }

    @Test
    void givenNoMembershipChecks_thenTheLimitCountsThisEdgesSubscribers() {
        final FakeOutbound out = FakeOutbound.fast();
        registry.subscribe(connect("alice", out), "t3");
        registry.subscribe(connect("bob", FakeOutbound.fast()), "t3");
        final PresenceFanout fanout = new PresenceFanout(registry, PresenceFanout.ALL, 1);
        assertThat(fanout.onPresence("t3 carol online")).isZero();
        assertThat(new PresenceFanout(registry, PresenceFanout.ALL, 2).onPresence("t3 carol online")).isEqualTo(2);
    }
}
