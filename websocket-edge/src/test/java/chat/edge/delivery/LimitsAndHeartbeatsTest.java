package chat.edge.delivery;

import chat.edge.CloseCodes;
import chat.edge.FakeOutbound;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LimitsAndHeartbeatsTest {
    @Test
    void givenLimits_thenAcquireRefusesOverTheLimitAndCountsNothingForARefusal() {
        final ConnectionLimits limits = new ConnectionLimits(2, 3);
        assertThat(limits.acquire("1.1.1.1", "u")).isEqualTo(ConnectionLimits.Verdict.OK);
        assertThat(limits.acquire("1.1.1.1", "u")).isEqualTo(ConnectionLimits.Verdict.OK);
        assertThat(limits.acquire("1.1.1.1", "u")).isEqualTo(ConnectionLimits.Verdict.TOO_MANY_FOR_USER);
        assertThat(limits.acquire("1.1.1.1", "v")).isEqualTo(ConnectionLimits.Verdict.OK);
        assertThat(limits.acquire("1.1.1.1", "w")).isEqualTo(ConnectionLimits.Verdict.TOO_MANY_FOR_IP);
        assertThat(limits.ofUser("w")).isZero();
        limits.release("1.1.1.1", "u");
        assertThat(limits.ofUser("u")).isEqualTo(1);
        assertThat(limits.acquire("1.1.1.1", "w")).isEqualTo(ConnectionLimits.Verdict.OK);
        assertThat(new ConnectionLimits(0, 0).acquire("x", "y")).isEqualTo(ConnectionLimits.Verdict.OK);
    }

    @Test
    void givenIdleAndLiveConnections_whenSwept_thenIdleAreClosedWith4001AndLiveArePinged() {
        final EdgeStats stats = new EdgeStats();
        final SubscriptionRegistry registry = new SubscriptionRegistry(stats, 10);
        final FakeOutbound idleOut = FakeOutbound.fast();
        final FakeOutbound liveOut = FakeOutbound.fast();
        final Connection idle = new Connection("idle", idleOut, new QueueLimits(10, 1 << 20), stats, registry::closed);
        final Connection live = new Connection("live", liveOut, new QueueLimits(10, 1 << 20), stats, registry::closed);
        registry.open(idle);
        registry.open(live);
        final long timeout = TimeUnit.SECONDS.toNanos(60);
        final long later = System.nanoTime() + timeout + TimeUnit.SECONDS.toNanos(1);
        // live shows life "later" (touch uses the real clock, so judge both against a clock just past it)
        final Heartbeats heartbeats = new Heartbeats(registry, timeout, () -> later);
        live.touch();
        final Heartbeats liveClock = new Heartbeats(registry, timeout, System::nanoTime);
        assertThat(liveClock.sweep()).isZero();
        assertThat(heartbeats.sweep()).isEqualTo(2); // both look idle to a clock 61 s ahead
        assertThat(idleOut.closeCode()).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(CloseCodes.isReconnect(CloseCodes.IDLE_TIMEOUT)).isTrue();
        assertThat(registry.connectionCount()).isZero();
    }

    @Test
    void latencyHistogramCountsEachFrameInItsBucket() {
        final EdgeStats stats = new EdgeStats();
        stats.delivered(0);
        stats.delivered(7);
        stats.delivered(99_999);
        final EdgeStats.Latency l = stats.latency();
        assertThat(l.total()).isEqualTo(3);
        assertThat(l.counts()[0]).isEqualTo(1);      // <= 1 ms
        assertThat(l.counts()[3]).isEqualTo(1);      // (5, 10] ms
        assertThat(l.counts()[EdgeStats.LATENCY_BUCKETS_MS.length]).isEqualTo(1); // +Inf
        assertThat(l.sumMs()).isEqualTo(100_006);
    }
}
