package chat.edge.delivery;

import chat.edge.CloseCodes;
import chat.edge.FakeOutbound;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionRegistryTest {
    private EdgeStats stats;
    private SubscriptionRegistry registry;

    @BeforeEach
    void setUp() {
        stats = new EdgeStats();
        registry = new SubscriptionRegistry(stats, 3);
    }

    private Connection open(final String id, final FakeOutbound out) {
        final Connection c = new Connection(id, out, new QueueLimits(10, 1 << 20), stats, registry::closed);
        registry.open(c);
        return c;
    }

    @Test
    void shouldRouteTeamsToTheirSubscribersOnly() {
        // Given
        final Connection a = open("a", FakeOutbound.fast());
        final Connection b = open("b", FakeOutbound.fast());
        // When
        assertThat(registry.subscribe(a, "t1")).isEqualTo(SubscriptionRegistry.Result.ADDED);
        assertThat(registry.subscribe(a, "t2")).isEqualTo(SubscriptionRegistry.Result.ADDED);
        assertThat(registry.subscribe(b, "t2")).isEqualTo(SubscriptionRegistry.Result.ADDED);
        // Then
        assertThat(registry.subscribers("t1")).containsExactly(a);
        assertThat(registry.subscribers("t2")).containsExactlyInAnyOrder(a, b);
        assertThat(registry.subscribers("t3")).isEmpty();
        assertThat(registry.teamCount()).isEqualTo(2);
        assertThat(stats.snapshot().subscriptions()).isEqualTo(3);
        assertThat(stats.snapshot().connections()).isEqualTo(2);
    }

    @Test
    void givenSubscribed_whenSubscribedAgain_thenNoChange() {
        final Connection a = open("a", FakeOutbound.fast());
        registry.subscribe(a, "t1");
        assertThat(registry.subscribe(a, "t1")).isEqualTo(SubscriptionRegistry.Result.ALREADY_SUBSCRIBED);
        assertThat(registry.subscribers("t1")).containsExactly(a);
        assertThat(stats.snapshot().subscriptions()).isEqualTo(1);
    }

    @Test
    void whenUnsubscribed_thenNoLongerRoutedAndEmptyTeamsDisappear() {
        final Connection a = open("a", FakeOutbound.fast());
        registry.subscribe(a, "t1");
        assertThat(registry.unsubscribe(a, "t1")).isTrue();
        assertThat(registry.unsubscribe(a, "t1")).isFalse();
        assertThat(registry.subscribers("t1")).isEmpty();
        assertThat(registry.hasSubscribers("t1")).isFalse();
        assertThat(registry.teamCount()).isZero();
        assertThat(a.teams()).isEmpty();
        assertThat(stats.snapshot().subscriptions()).isZero();
    }

    @Test
    void givenLimit_whenOneMoreTeam_thenRefused() {
        final Connection a = open("a", FakeOutbound.fast());
        registry.subscribe(a, "t1");
        registry.subscribe(a, "t2");
        registry.subscribe(a, "t3");
        assertThat(registry.wouldExceedLimit(a, "t4")).isTrue();
        assertThat(registry.wouldExceedLimit(a, "t3")).isFalse();
        assertThat(registry.subscribe(a, "t4")).isEqualTo(SubscriptionRegistry.Result.LIMIT_REACHED);
        assertThat(registry.subscribers("t4")).isEmpty();
    }

    @Test
    void whenConnectionCloses_thenItIsRemovedFromEveryTeam() {
        // Given
        final Connection a = open("a", FakeOutbound.fast());
        final Connection b = open("b", FakeOutbound.fast());
        registry.subscribe(a, "t1");
        registry.subscribe(a, "t2");
        registry.subscribe(b, "t2");
        // When: the client goes away
        a.terminate();
        // Then
        assertThat(registry.subscribers("t1")).isEmpty();
        assertThat(registry.subscribers("t2")).containsExactly(b);
        assertThat(registry.connectionCount()).isEqualTo(1);
        assertThat(stats.snapshot().connections()).isEqualTo(1);
        assertThat(stats.snapshot().subscriptions()).isEqualTo(1);
        assertThat(registry.subscribe(a, "t3")).isEqualTo(SubscriptionRegistry.Result.CLOSED);
        assertThat(registry.subscribers("t3")).isEmpty();
    }

    @Test
    void whenDrained_thenEveryConnectionClosesWithShutdownAndNewOnesAreRefused() {
        final FakeOutbound outA = FakeOutbound.fast();
        final Connection a = open("a", outA);
        registry.subscribe(a, "t1");

        assertThat(registry.shutdown()).isEqualTo(1);

        assertThat(outA.closeCode()).isEqualTo(CloseCodes.SHUTDOWN);
        assertThat(registry.subscribers("t1")).isEmpty();
        final FakeOutbound outB = FakeOutbound.fast();
        open("b", outB);
        assertThat(outB.closeCode()).isEqualTo(CloseCodes.SHUTDOWN);
        assertThat(registry.connectionCount()).isZero();
        assertThat(stats.snapshot().connections()).isZero();
    }
}
