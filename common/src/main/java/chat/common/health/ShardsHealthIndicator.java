package chat.common.health;

import chat.common.shard.ShardDataSources;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /health} part "shards": every shard database answers a validity check within 2 s.
 * One shard down makes the service DOWN in detail but names which shard, so an operator knows
 * which partitions stop advancing.
 */
@Singleton
@Requires(beans = ShardDataSources.class)
public class ShardsHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final ShardDataSources shards;

    ShardsHealthIndicator(final ShardDataSources shards) {
        this.shards = shards;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        final Map<String, Object> details = new LinkedHashMap<>();
        boolean allUp = true;
        for (int s = 0; s < shards.count(); s++) {
            String state;
            try (Connection c = shards.shard(s).getConnection()) {
                state = c.isValid(2) ? "UP" : "DOWN";
            } catch (Exception e) {
                state = "DOWN: " + e.getMessage();
            }
            allUp &= state.equals("UP");
            details.put("shard-" + s, state);
        }
        healthStatus = allUp ? HealthStatus.UP : HealthStatus.DOWN;
        return details;
    }

    @Override
    protected String getName() {
        return "shards";
    }
}
