package chat.edge.delivery;

import chat.edge.CloseCodes;
import chat.edge.FakeOutbound;
import chat.edge.protocol.Frame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTest {
    private final EdgeStats stats = new EdgeStats();
    private final SubscriptionRegistry registry = new SubscriptionRegistry(stats, 10);

    private Connection open(final String id, final FakeOutbound out, final QueueLimits limits) {
        final Connection c = new Connection(id, out, limits, stats, registry::closed);
        registry.open(c);
        registry.subscribe(c, "t1");
        return c;
    }

    @Test
    void givenClientThatReadsNothing_whenFrameBoundExceeded_thenClosedWithSlowConsumerAndOthersUnaffected() {
        // Given
        final FakeOutbound stuckOut = FakeOutbound.stuck();
        final FakeOutbound fastOut = FakeOutbound.fast();
        final Connection stuck = open("stuck", stuckOut, new QueueLimits(5, 1 << 20));
        final Connection fast = open("fast", fastOut, new QueueLimits(5, 1 << 20));
        // When: 20 events fan out to both
        for (int i = 0; i < 20; i++) {
            final Frame f = Frame.ofText("{\"n\":" + i + "}");
            for (Connection c : registry.subscribers("t1")) {
                c.offer(f);
            }
        }
        // Then
        assertThat(stuckOut.sent()).hasSize(5);
        assertThat(stuckOut.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
        assertThat(stuck.isTerminated()).isTrue();
        assertThat(registry.subscribers("t1")).containsExactly(fast);
        assertThat(fastOut.sent()).hasSize(20);
        assertThat(fastOut.texts()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "{\"n\":" + i + "}").toList());
        assertThat(fastOut.isClosed()).isFalse();
        assertThat(stats.snapshot().queueOverflows()).isEqualTo(1);
        assertThat(stats.snapshot().framesSent()).isEqualTo(20);
    }

    @Test
    void givenClientThatReadsNothing_whenByteBoundExceeded_thenClosedWithSlowConsumer() {
        final FakeOutbound out = FakeOutbound.stuck();
        final Connection c = open("c", out, new QueueLimits(1000, 100));
        final Frame forty = Frame.ofText("x".repeat(40));
        assertThat(c.offer(forty)).isTrue();
        assertThat(c.offer(forty)).isTrue();
        assertThat(c.queuedBytes()).isEqualTo(80);
        assertThat(c.offer(forty)).isFalse();
        assertThat(out.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
        assertThat(out.sent()).hasSize(2);
        assertThat(c.offer(forty)).isFalse();
        assertThat(stats.snapshot().queueOverflows()).isEqualTo(1);
    }

    @Test
    void givenSlowButReadingClient_whenWritesComplete_thenTheQueueDrainsAndNothingCloses() {
        final FakeOutbound out = FakeOutbound.stuck();
        final Connection c = open("c", out, new QueueLimits(3, 1 << 20));
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.offer(Frame.ofText("e"))).isTrue();
            }
            assertThat(c.queuedFrames()).isEqualTo(3);
            out.completeAll();
            assertThat(c.queuedFrames()).isZero();
            assertThat(c.queuedBytes()).isZero();
        }
        assertThat(out.isClosed()).isFalse();
        assertThat(out.sent()).hasSize(30);
    }

    @Test
    void givenClosedSocket_whenOffered_thenTerminatedAndRemovedWithoutThrowing() {
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = open("c", out, new QueueLimits(3, 1 << 20));
        out.close(1000, "gone"); // socket closed under us, @OnClose not yet run
        assertThat(c.offer(Frame.ofText("e"))).isFalse();
        assertThat(c.isTerminated()).isTrue();
        assertThat(registry.subscribers("t1")).isEmpty();
        assertThat(stats.snapshot().sendFailures()).isEqualTo(1);
    }
}
