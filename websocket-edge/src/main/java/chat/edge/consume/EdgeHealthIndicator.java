package chat.edge.consume;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;

import java.util.Map;

/** {@code /health} part "edge": DOWN when the edge's consumer thread has stopped. */
@Singleton
@Requires(beans = EdgeConsumerService.class)
class EdgeHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final EdgeConsumerService service;

    EdgeHealthIndicator(final EdgeConsumerService service) {
        this.service = service;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        final boolean alive = service.consuming();
        healthStatus = alive ? HealthStatus.UP : HealthStatus.DOWN;
        return Map.of("consumer", alive ? "running" : "stopped",
                "epoch", service.log() == null ? "unknown" : service.log().epoch());
    }

    @Override
    protected String getName() {
        return "edge";
    }
}
