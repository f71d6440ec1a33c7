package chat.common.shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versioned data, not code: which shard (PostgreSQL database) holds the read model of each
 * partition of {@code chat.events}. A team lives in one partition, so its rows live in exactly
 * one shard; rebuilding a shard means replaying only its partitions. Resharding writes a new map
 * with a higher version.
 *
 * <p>Stored as JSON: {@code {"version":1,"partitions":12,"shards":4,"assignment":[0,1,2,3,0,...]}}
 * where {@code assignment[p]} is the shard of partition {@code p}.
 *
 * <pre>{@code
 * ShardMap map = ShardMap.modulo(12, 4);
 * int shard = map.shardOf(7); // 3
 * }</pre>
 */
public record ShardMap(int version, int shards, int[] assignment) {
    private static final Pattern JSON = Pattern.compile(
            "\\{\\s*\"version\"\\s*:\\s*(\\d+)\\s*,\\s*\"partitions\"\\s*:\\s*(\\d+)\\s*,\\s*\"shards\"\\s*:\\s*(\\d+)\\s*,"
                    + "\\s*\"assignment\"\\s*:\\s*\\[([\\d\\s,]*)]\\s*}\\s*");

    public ShardMap {
        if (version < 1) {
            throw new IllegalArgumentException("shard map version must be >= 1, got " + version);
        }
        if (shards < 1) {
            throw new IllegalArgumentException("shard count must be >= 1, got " + shards);
        }
        if (assignment.length < 1) {
            throw new IllegalArgumentException("shard map must assign at least one partition");
        }
        assignment = assignment.clone();
        final boolean[] used = new boolean[shards];
        for (int p = 0; p < assignment.length; p++) {
            if (assignment[p] < 0 || assignment[p] >= shards) {
                throw new IllegalArgumentException("partition " + p + " is assigned to shard " + assignment[p]
                        + ", outside 0.." + (shards - 1));
            }
            used[assignment[p]] = true;
        }
        for (int s = 0; s < shards; s++) {
            if (!used[s]) {
                throw new IllegalArgumentException("shard " + s + " has no partition; a shard map must use every shard");
            }
        }
    }

    /** The default map: partition {@code p} goes to shard {@code p mod shards}. */
    public static ShardMap modulo(final int partitions, final int shards) {
        if (shards > partitions) {
            throw new IllegalArgumentException("more shards (" + shards + ") than partitions (" + partitions + ")");
        }
        final int[] a = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            a[p] = p % shards;
        }
        return new ShardMap(1, shards, a);
    }

    /** Parses the JSON form written by {@link #toJson()}. */
    public static ShardMap parse(final String json) {
        final Matcher m = JSON.matcher(json);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a shard map document: " + json);
        }
        final int partitions = Integer.parseInt(m.group(2));
        final int[] a = m.group(4).isBlank() ? new int[0]
                : Arrays.stream(m.group(4).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        if (a.length != partitions) {
            throw new IllegalArgumentException("shard map says " + partitions + " partitions but assigns " + a.length);
        }
        return new ShardMap(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)), a);
    }

    /** Number of partitions of {@code chat.events} this map covers. */
    public int partitions() {
        return assignment.length;
    }

    /** The shard holding the read model of {@code partition}. */
    public int shardOf(final int partition) {
        if (partition < 0 || partition >= assignment.length) {
            throw new IllegalArgumentException("partition " + partition + " outside the shard map (0.."
                    + (assignment.length - 1) + ")");
        }
        return assignment[partition];
    }

    /** The partitions whose read model lives in {@code shard}, ascending. */
    public List<Integer> partitionsOf(final int shard) {
        final List<Integer> out = new ArrayList<>();
        for (int p = 0; p < assignment.length; p++) {
            if (assignment[p] == shard) {
                out.add(p);
            }
        }
        return out;
    }

    /** The JSON document form. */
    public String toJson() {
        final StringBuilder sb = new StringBuilder("{\"version\":").append(version)
                .append(",\"partitions\":").append(assignment.length)
                .append(",\"shards\":").append(shards).append(",\"assignment\":[");
        for (int p = 0; p < assignment.length; p++) {
            sb.append(p == 0 ? "" : ",").append(assignment[p]);
        }
        return sb.append("]}").toString();
    }

    @Override
    public int[] assignment() {
        return assignment.clone();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof ShardMap other && version == other.version && shards == other.shards
                && Arrays.equals(assignment, other.assignment);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * version + shards) + Arrays.hashCode(assignment);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
