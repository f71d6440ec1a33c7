package chat.search;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration of one search-indexer instance ({@code chat.search.*}). The constructor checks
 * every field and fails listing every problem at once; the admin token is masked.
 *
 * @param indexDir        directory holding one Lucene index per partition ({@code p-<n>}); required
 * @param partitions      the partitions this instance indexes and answers for ({@code all} or e.g. {@code 0-5,8})
 * @param routes          partition -> base URL of the instance that owns it, for partitions not indexed here;
 *                        empty: a search of such a team answers 503 {@code SEARCH_PARTITION_UNAVAILABLE}
 * @param refreshInterval how often new events become searchable at most (NRT refresh); a waiting search refreshes at once
 * @param commitInterval  how often the indexes commit (the resume point after a crash); work since then is replayed
 * @param barrierTimeout  how long a search waits for the index to reach the log end it observed; then 503
 * @param ramBufferMb     indexing buffer per partition before a segment is flushed, MB
 * @param maxPollRecords  records per consumer poll (bounds memory per batch)
 * @param adminToken      shared secret for the admin endpoints (rebuild, status, checksum) in
 *                        {@code X-Chat-Admin-Token}; empty: admin endpoints answer 404
 * @param forwardTimeout  time limit of a search forwarded to the owning instance
 * @param startupTimeout  time limit to reach Kafka at start-up
 */
public record SearchSettings(Path indexDir, List<Integer> partitions, Map<Integer, URI> routes, Duration refreshInterval,
                             Duration commitInterval, Duration barrierTimeout, double ramBufferMb, int maxPollRecords,
                             String adminToken, Duration forwardTimeout, Duration startupTimeout) {
    public SearchSettings {
        partitions = List.copyOf(partitions);
        routes = Map.copyOf(routes);
        adminToken = adminToken == null ? "" : adminToken;
        final List<String> problems = new ArrayList<>();
        if (indexDir == null) {
            problems.add("chat.search.index-dir is required");
        }
        if (partitions.isEmpty()) {
            problems.add("chat.search.partitions names no partition");
        }
        if (refreshInterval.toMillis() < 1 || refreshInterval.toMillis() > 60_000) {
            problems.add("chat.search.refresh-ms must be 1..60000, got " + refreshInterval.toMillis());
        }
        if (commitInterval.toMillis() < 10) {
            problems.add("chat.search.commit-ms must be >= 10, got " + commitInterval.toMillis());
        }
        if (barrierTimeout.toMillis() < 1) {
            problems.add("chat.search.barrier-timeout-ms must be >= 1, got " + barrierTimeout.toMillis());
        }
        if (ramBufferMb < 1 || ramBufferMb > 2048) {
            problems.add("chat.search.ram-buffer-mb must be 1..2048, got " + ramBufferMb);
        }
        if (maxPollRecords < 1) {
            problems.add("chat.search.max-poll-records must be >= 1, got " + maxPollRecords);
        }
        if (!adminToken.isEmpty() && adminToken.length() < 8) {
            problems.add("chat.search.admin-token must be empty (admin off) or at least 8 characters");
        }
        for (Map.Entry<Integer, URI> r : routes.entrySet()) {
            if (partitions.contains(r.getKey())) {
                problems.add("partition " + r.getKey() + " is indexed here and also routed to " + r.getValue());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid search-indexer configuration (admin token "
                    + (adminToken.isEmpty() ? "empty" : "****") + "):\n  - " + String.join("\n  - ", problems));
        }
    }

    /**
     * Parses {@code chat.search.routes}: comma-separated {@code <partitions>=<base URL>} entries, where
     * {@code <partitions>} is a partition set as in {@link PartitionRanges}, e.g.
     * {@code 0-5=http://search-a:8080,6-9,11=http://search-b:8080}.
     */
    public static Map<Integer, URI> parseRoutes(final String spec, final int partitions) {
        final Map<Integer, URI> out = new HashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        // Pieces without '=' are partitions of the next entry: "0,2,4-5=http://a" is one entry.
        final java.util.List<String> entries = new java.util.ArrayList<>();
        final StringBuilder pending = new StringBuilder();
        for (String piece : spec.split(",")) {
            if (!pending.isEmpty()) {
                pending.append(',');
            }
            pending.append(piece);
            if (piece.indexOf('=') >= 0) {
                entries.add(pending.toString());
                pending.setLength(0);
            }
        }
        if (!pending.toString().isBlank()) {
            entries.add(pending.toString());
        }
        for (String entry : entries) {
            final int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("chat.search.routes entry '" + entry.strip() + "' is not <partitions>=<url>");
            }
            final URI url;
            try {
                url = URI.create(entry.substring(eq + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("chat.search.routes entry '" + entry.strip() + "': bad URL: " + e.getMessage());
            }
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("chat.search.routes entry '" + entry.strip() + "': URL must be http(s)://host[:port]");
            }
            for (int p : PartitionRanges.parse(entry.substring(0, eq), partitions)) {
                final URI previous = out.put(p, url);
                if (previous != null && !previous.equals(url)) {
                    throw new IllegalArgumentException("chat.search.routes sends partition " + p + " to both " + previous + " and " + url);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "SearchSettings[indexDir=" + indexDir + ", partitions=" + partitions + ", routes=" + routes + ", refresh="
                + refreshInterval.toMillis() + "ms, commit=" + commitInterval.toMillis() + "ms, barrierTimeout="
                + barrierTimeout.toMillis() + "ms, ramBufferMb=" + ramBufferMb + ", maxPollRecords=" + maxPollRecords
                + ", adminToken=" + (adminToken.isEmpty() ? "(off)" : "****") + "]";
    }
}
