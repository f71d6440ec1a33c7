package chat.common.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings every service shares, read once at start-up. The constructor checks every field and
 * fails listing all problems at once (passwords masked).
 *
 * @param region           names the region in the epoch of every position; empty is not allowed
 * @param bootstrapServers Kafka bootstrap servers, e.g. {@code 127.0.0.1:9092}
 * @param partitions       the fixed partition count of {@code chat.events}; services refuse to start
 *                         when the topic has another
 * @param shardJdbcUrls    one JDBC URL per shard database, in shard order; empty for services that
 *                         do not read shards
 * @param shardUser        database user for the shards
 * @param shardPassword    database password for the shards (masked in messages)
 * @param shardPoolSize    connections per shard per service, >= 1
 * @param shardMapFile     path of the shard map JSON; empty means "partition mod shard count"
 */
public record ChatSettings(String region, String bootstrapServers, int partitions, List<String> shardJdbcUrls,
                           String shardUser, String shardPassword, int shardPoolSize, String shardMapFile) {
    public ChatSettings {
        shardJdbcUrls = shardJdbcUrls == null ? List.of()
                : shardJdbcUrls.stream().map(String::trim).filter(u -> !u.isEmpty()).toList();
        final List<String> problems = new ArrayList<>();
        if (region == null || !region.matches("[a-z0-9-]{1,32}")) {
            problems.add("chat.region must match [a-z0-9-]{1,32}, got '" + region + "'");
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("chat.kafka.bootstrap-servers is required");
        }
        if (partitions < 1) {
            problems.add("chat.kafka.partitions must be >= 1, got " + partitions);
        }
        if (shardPoolSize < 1) {
            problems.add("chat.shards.pool-size must be >= 1, got " + shardPoolSize);
        }
        for (String url : shardJdbcUrls) {
            if (!url.startsWith("jdbc:postgresql:")) {
                problems.add("chat.shards.jdbc-urls entries must be jdbc:postgresql: URLs, got '" + url + "'");
            }
        }
        if (shardJdbcUrls.size() > partitions) {
            problems.add("more shards (" + shardJdbcUrls.size() + ") than partitions (" + partitions + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration (shard password "
                    + (shardPassword == null || shardPassword.isEmpty() ? "empty" : "****") + "):\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** Number of shard databases configured. */
    public int shardCount() {
        return shardJdbcUrls.size();
    }

    @Override
    public String toString() {
        return "ChatSettings[region=" + region + ", bootstrapServers=" + bootstrapServers + ", partitions=" + partitions
                + ", shards=" + shardJdbcUrls + ", shardUser=" + shardUser + ", shardPassword=****, shardPoolSize="
                + shardPoolSize + ", shardMapFile=" + shardMapFile + "]";
    }
}
