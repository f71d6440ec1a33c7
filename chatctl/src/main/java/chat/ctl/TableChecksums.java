package chat.ctl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Content checksum of every read-model table of one shard database, computed the same way on any
 * copy: each row is rendered as PostgreSQL's record text of its columns in column-NAME order
 * (NULL and empty text differ; timestamps in UTC), hashed with md5, and the hashes are SUMMED as
 * two 60-bit halves (order-independent, no sort). Wall-clock bookkeeping columns
 * ({@code updated_at}, {@code applied_at}, {@code created_at} of the redirect table) and the
 * migration/redirect tables themselves are left out: they say when, not what.
 *
 * <pre>{@code
 * Map<String, TableChecksums.Sum> sums = TableChecksums.of(connection);
 * }</pre>
 */
public final class TableChecksums {
    /** Tables that are not read model. */
    static final Set<String> SKIPPED_TABLES = Set.of("schema_migrations", "shard_redirect", "shard_map_switch", DeferredIndexes.TABLE);
    /** Columns that hold wall-clock time of bookkeeping, not content. */
    static final Set<String> SKIPPED_COLUMNS = Set.of("updated_at", "applied_at");

    private TableChecksums() {
    }

    /** Row count and order-independent content hash of one table. */
    public record Sum(long rows, String hash) {
        private static final long MOD = 1L << 60;

        /**
         * The checksum of the union of two disjoint row sets: rows add, each 60-bit half adds modulo
         * 2^60 (the checksum is a sum of row hashes), so shards can be summed whatever the shard map.
         */
        public Sum plus(final Sum other) {
            final long a = (Long.parseLong(hash.substring(0, 15), 16) + Long.parseLong(other.hash.substring(0, 15), 16)) % MOD;
            final long b = (Long.parseLong(hash.substring(15), 16) + Long.parseLong(other.hash.substring(15), 16)) % MOD;
            return new Sum(rows + other.rows, String.format("%015x%015x", a, b));
        }

        @Override
        public String toString() {
            return rows + ":" + hash;
        }
    }

    /** table -> checksum, for every base table of schema public except {@link #SKIPPED_TABLES}. */
    public static Map<String, Sum> of(final Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
        }
        final Map<String, List<String>> columns = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.table_name, c.column_name FROM information_schema.columns c"
                + " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
                + " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.column_name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                final String table = rs.getString(1);
                final String column = rs.getString(2);
                if (!SKIPPED_TABLES.contains(table) && !SKIPPED_COLUMNS.contains(column)) {
                    columns.computeIfAbsent(table, t -> new ArrayList<>()).add(column);
                }
            }
        }
        final Map<String, Sum> out = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : columns.entrySet()) {
            out.put(e.getKey(), sum(c, e.getKey(), e.getValue()));
        }
        return out;
    }

    private static Sum sum(final Connection c, final String table, final List<String> columns) throws SQLException {
        final String row = "ROW(" + String.join(", ", columns.stream().map(col -> quote(col)).toList()) + ")::text";
        final String sql = "SELECT count(*),"
                + " coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0) % 1152921504606846976,"
                + " coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint), 0) % 1152921504606846976"
                + " FROM (SELECT md5(" + row + ") AS h FROM " + quote(table) + ") x";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            final long a = rs.getBigDecimal(2).longValueExact();
            final long b = rs.getBigDecimal(3).longValueExact();
            return new Sum(rs.getLong(1), String.format("%015x%015x", a, b));
        }
    }

    private static String quote(final String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
