package chat.dev.it.edge;

import chat.dev.DevStack;

import java.util.HashMap;
import java.util.Map;

/**
 * Properties an extra edge needs to authorize subscribes (the team's shard, for membership) and
 * for presence (Redis): {@code DevStack.startEdge} gives extra edges only Kafka.
 */
final class EdgeProps {
    private EdgeProps() {
    }

    static Map<String, Object> access(final DevStack stack) {
        final Map<String, Object> p = new HashMap<>();
        p.put("chat.shards.jdbc-urls", String.join(",", stack.shardJdbcUrls()));
        p.put("chat.shards.user", stack.postgres().user());
        p.put("chat.shards.password", stack.postgres().password());
        p.put("chat.shards.map-file", stack.options().dataDir().toAbsolutePath().resolve("shard-map.json").toString());
        p.put("chat.shards.pool-size", 2);
        return p;
    }

    static Map<String, Object> access(final DevStack stack, final Map<String, Object> extra) {
        final Map<String, Object> p = access(stack);
        p.putAll(extra);
        return p;
    }
}
