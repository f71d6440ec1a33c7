package chat.search;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Parses partition sets as configured: {@code all}, or ranges and single partitions separated by
 * commas, e.g. {@code 0-5,8,10-11}.
 *
 * <pre>{@code
 * List<Integer> mine = PartitionRanges.parse("0-5,8", 12); // [0, 1, 2, 3, 4, 5, 8]
 * }</pre>
 */
public final class PartitionRanges {
    private PartitionRanges() {
    }

    /** The sorted partitions named by {@code spec}, each checked against {@code 0..partitions-1}. */
    public static List<Integer> parse(final String spec, final int partitions) {
        final String s = spec == null ? "" : spec.strip();
        if (s.equalsIgnoreCase("all")) {
            final List<Integer> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(p);
            }
            return all;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty partition set: use 'all' or ranges like 0-5,8");
        }
        final TreeSet<Integer> out = new TreeSet<>();
        for (String part : s.split(",")) {
            final String p = part.strip();
            final int dash = p.indexOf('-');
            final int lo;
            final int hi;
            try {
                lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' in partition set '" + spec + "' is not N or N-M");
            }
            if (lo < 0 || hi >= partitions || lo > hi) {
                throw new IllegalArgumentException("'" + p + "' in partition set '" + spec + "' is outside 0-" + (partitions - 1)
                        + " or reversed");
            }
            for (int i = lo; i <= hi; i++) {
                out.add(i);
            }
        }
        return List.copyOf(out);
    }
}
