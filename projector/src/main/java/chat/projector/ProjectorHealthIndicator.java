package chat.projector;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;

import java.util.Map;

/**
 * {@code /health} part "projector": DOWN when Kafka Streams is in ERROR or not running; lists the
 * shards whose partitions wait because the shard cannot be used ({@code unavailableShards}).
 */
@Singleton
@Requires(beans = ProjectorService.class)
class ProjectorHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final ProjectorService service;

    ProjectorHealthIndicator(final ProjectorService service) {
        this.service = service;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        final KafkaStreams.State state = service.state();
        healthStatus = state == null ? HealthStatus.UNKNOWN
                : state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING ? HealthStatus.UP
                : HealthStatus.DOWN;
        // A shard that went away waits in its own part of the health; the projector itself is up.
        return Map.of("state", state == null ? "NOT_STARTED" : state.name(),
                "unavailableShards", service.unavailableShards());
    }

    @Override
    protected String getName() {
        return "projector";
    }
}
