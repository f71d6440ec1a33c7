package chat.projector.sink;

import chat.projector.projection.RowChange;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups row changes into JDBC batches (one statement kind each) whose execution in the returned
 * order gives exactly the rows of applying the changes one by one in offset order.
 *
 * <p>Each change gets a level: 0 if no earlier change touches its row; the level of the row's
 * previous change if that has the same kind (a JDBC batch runs its statements in order); else
 * one more. Changes on different rows commute (no triggers or foreign keys between them), so
 * within a level every row sees only one kind, in offset order, and every earlier change of the
 * row ran at a lower level. A batch of posts is one level; an edit of a message posted in the
 * same batch lands one level later.
 *
 * <pre>{@code
 * for (List<RowChange> group : StatementPlan.plan(changes)) { executeBatch(group); }
 * }</pre>
 */
final class StatementPlan {
    private StatementPlan() {
    }

    static List<List<RowChange>> plan(final List<RowChange> changes) {
        record Last(RowChange.Kind kind, int level) {
        }
        final Map<String, Last> lastByRow = new HashMap<>();
        final List<EnumMap<RowChange.Kind, List<RowChange>>> levels = new ArrayList<>();
        for (RowChange c : changes) {
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
        return out;
    }
}
