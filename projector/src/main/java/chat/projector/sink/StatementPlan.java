package chat.projector.sink;

import chat.projector.projection.RowChange;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups row changes into JDBC batches (one statement kind each) whose execution in the returned
 * order gives exactly the rows of applying the changes one by one in offset order.
 *
 * <p>Each change gets a level: 0 if no earlier change has its {@link RowChange#rowKey() key}; the
 * level of the key's previous change if that has the same kind (a JDBC batch runs its statements
 * in order); else one more. Changes with different keys commute (no triggers or foreign keys
 * between them; a change that depends on another row is keyed by that row, e.g. a reaction by
 * its message), so within a level every key sees only one kind, in offset order, and every
 * earlier change of the key ran at a lower level. A batch of posts is one level; an edit of a
 * message posted in the same batch lands one level later.
 *
 * <p>The {@link #DEFERRED} kinds run after every level, one group per kind, in offset order:
 * <ul>
 *   <li>{@code READ_MARKER_UPSERT} reads only message columns that never change after the insert,
 *       and only of messages posted before its event (log_offset below its offset): a message
 *       inserted later in the batch is invisible to it anyway. Nothing else reads markers.</li>
 *   <li>{@code THREAD_RECOUNT} and {@code THREAD_RECOUNT_OF_REPLY} overwrite a root's summary
 *       with a function of its replies, write nothing any other statement reads (not even
 *       last_offset), and every change of a reply (insert, delete) is followed in its event by a
 *       recount of its root ({@code Projection}). So after the batch's last change to a thread
 *       nothing alters the result of the last recount: running the recounts last gives the same
 *       rows, and only the last recount of each key needs to run.</li>
 * </ul>
 *
 * <pre>{@code
 * for (List<RowChange> group : StatementPlan.plan(changes)) { executeBatch(group); }
 * }</pre>
 */
final class StatementPlan {
    /** Kinds that run after all others (see the class comment for why that is exact). */
    static final Set<RowChange.Kind> DEFERRED = EnumSet.of(RowChange.Kind.READ_MARKER_UPSERT,
            RowChange.Kind.THREAD_RECOUNT, RowChange.Kind.THREAD_RECOUNT_OF_REPLY);
    /** Deferred kinds of which only the last change per key runs (absolute recomputations). */
    private static final Set<RowChange.Kind> LAST_PER_KEY = EnumSet.of(RowChange.Kind.THREAD_RECOUNT,
            RowChange.Kind.THREAD_RECOUNT_OF_REPLY);

    private StatementPlan() {
    }

    static List<List<RowChange>> plan(final List<RowChange> changes) {
        record Last(RowChange.Kind kind, int level) {
        }
        final Map<String, Last> lastByRow = new HashMap<>();
        final List<EnumMap<RowChange.Kind, List<RowChange>>> levels = new ArrayList<>();
        final EnumMap<RowChange.Kind, Map<String, RowChange>> deferred = new EnumMap<>(RowChange.Kind.class);
        int unkeyed = 0;
        for (RowChange c : changes) {
            if (DEFERRED.contains(c.kind())) {
                final Map<String, RowChange> byKey = deferred.computeIfAbsent(c.kind(), k -> new LinkedHashMap<>());
                if (LAST_PER_KEY.contains(c.kind())) {
                    byKey.remove(c.rowKey()); // re-inserted below: last occurrence, in its order
                    byKey.put(c.rowKey(), c);
                } else {
                    byKey.put("#" + unkeyed++, c); // every one runs, in offset order
                }
                continue;
            }
            final Last last = lastByRow.get(c.rowKey());
            final int level = last == null ? 0 : last.kind() == c.kind() ? last.level() : last.level() + 1;
            lastByRow.put(c.rowKey(), new Last(c.kind(), level));
            while (levels.size() <= level) {
                levels.add(new EnumMap<>(RowChange.Kind.class));
            }
            levels.get(level).computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c);
        }
        final List<List<RowChange>> out = new ArrayList<>();
        for (EnumMap<RowChange.Kind, List<RowChange>> level : levels) {
            out.addAll(level.values()); // EnumMap iterates in Kind order: deterministic
        }
        for (Map<String, RowChange> group : deferred.values()) {
            out.add(List.copyOf(group.values()));
        }
        return out;
    }
}
