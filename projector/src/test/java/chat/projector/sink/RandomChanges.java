package chat.projector.sink;

import chat.events.EventEnvelope;
import chat.projector.RandomEvents;
import chat.projector.projection.Projection;
import chat.projector.projection.RowChange;

import java.util.ArrayList;
import java.util.List;

/**
 * The row changes of {@link RandomEvents}, as the projection makes them (so they keep its
 * invariants, e.g. a recount of the root after every reply change): {@code count} events at
 * offsets {@code firstOffset ..}, usually more changes.
 */
final class RandomChanges {
    private RandomChanges() {
    }

    static List<RowChange> generate(final long seed, final int count, final int partition, final long firstOffset) {
        final List<EventEnvelope> events = RandomEvents.generate(seed, count, (int) firstOffset);
        final List<RowChange> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            out.addAll(Projection.project(events.get(i), partition, firstOffset + i));
        }
        return out;
    }
}
