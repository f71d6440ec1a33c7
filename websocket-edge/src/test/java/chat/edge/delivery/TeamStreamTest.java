package chat.edge.delivery;

import chat.edge.CloseCodes;
import chat.edge.FakeOutbound;
import chat.edge.protocol.Frame;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TeamStreamTest {
    private final EdgeStats stats = new EdgeStats();
    private final SubscriptionRegistry registry = new SubscriptionRegistry(stats, 10);

    private Connection connection(final FakeOutbound out) {
        final Connection c = new Connection("c", out, new QueueLimits(100, 1 << 20), stats, registry::closed);
        registry.open(c);
        return c;
    }

    private static Frame f(final long offset) {
        return Frame.ofText("e" + offset);
    }

    @Test
    void givenLiveStream_whenEventsAtOrBelowTheStartArrive_thenTheyAreDroppedAsDuplicates() {
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = connection(out);
        registry.subscribe(c, TeamStream.live(c, "t1", 5));
        for (long o : new long[] {4, 5, 6, 6, 7}) {
            c.stream("t1").live(o, f(o));
        }
        assertThat(out.texts()).containsExactly("e6", "e7");
    }

    @Test
    void givenCatchingUp_whenLiveEventsArriveBeforeTheCatchUpEnds_thenTheyFollowTheCaughtUpOnesWithoutOverlap() {
        // Given a stream resuming after offset 10, the worker having read 11..13 from the log
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = connection(out);
        final TeamStream s = TeamStream.catchingUp(c, "t1", 10, 100);
        registry.subscribe(c, s);
        // When live events 13 (already read by the worker), 14, 15 arrive during the catch-up
        s.caughtUp(11, f(11));
        c.stream("t1").live(13, f(13));
        c.stream("t1").live(14, f(14));
        s.caughtUp(12, f(12));
        s.caughtUp(13, f(13));
        c.stream("t1").live(15, f(15));
        assertThat(out.texts()).containsExactly("e11", "e12", "e13");
        // Then the hand-off delivers 14 and 15 (13 is a duplicate), and later events go straight through
        List<TeamStream.Pending> held;
        while (!(held = s.drainOrGoLive()).isEmpty()) {
            held.forEach(p -> s.caughtUp(p.offset(), p.frame()));
        }
        c.stream("t1").live(16, f(16));
        assertThat(out.texts()).containsExactly("e11", "e12", "e13", "e14", "e15", "e16");
        assertThat(s.isCatchingUp()).isFalse();
    }

    @Test
    void givenCatchingUp_whenMoreLiveEventsArriveThanMaxPending_thenTheConnectionIsClosedAsSlow() {
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = connection(out);
        final TeamStream s = TeamStream.catchingUp(c, "t1", 0, 3);
        registry.subscribe(c, s);
        for (long o = 1; o <= 4; o++) {
            c.stream("t1").live(o, f(o));
        }
        assertThat(out.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
        assertThat(out.texts()).isEmpty();
        assertThat(registry.connectionCount()).isZero();
    }
}
