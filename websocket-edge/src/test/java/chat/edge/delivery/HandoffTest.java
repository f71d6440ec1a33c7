package chat.edge.delivery;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Wake-ups deferred to the end of a burst. */
class HandoffTest {
    @Test
    void outsideABurstTheCallerWakesItsWriterItself() {
        assertThat(Handoff.defer(() -> { })).isFalse();
    }

    @Test
    void aBurstWakesEachWriterOnceAtItsEnd_andAnInnerBurstJoinsTheOuterOne() {
        final AtomicInteger a = new AtomicInteger();
        final AtomicInteger b = new AtomicInteger();
        final Handoff.Writer wa = a::incrementAndGet;
        final Handoff.Writer wb = b::incrementAndGet;
        try (Handoff outer = Handoff.begin()) {
            assertThat(Handoff.defer(wa)).isTrue();
            try (Handoff inner = Handoff.begin()) {
                assertThat(Handoff.defer(wb)).isTrue();
                assertThat(Handoff.defer(wa)).isTrue();
            }
            assertThat(a.get() + b.get()).as("the inner burst's end wakes nobody").isZero();
        }
        assertThat(a).hasValue(1);
        assertThat(b).hasValue(1);
        assertThat(Handoff.defer(wa)).as("the burst is over").isFalse();
    }
}
