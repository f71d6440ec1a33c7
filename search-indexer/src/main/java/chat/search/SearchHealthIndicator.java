package chat.search;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;

import java.util.Map;

/** {@code /health} part "search": DOWN when the indexing thread stopped (its failure is named). */
@Singleton
@Requires(beans = SearchService.class)
class SearchHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final SearchService service;

    SearchHealthIndicator(final SearchService service) {
        this.service = service;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        final Throwable failure = service.failure();
        healthStatus = service.indexing() ? HealthStatus.UP : HealthStatus.DOWN;
        return failure == null ? Map.of("indexing", service.indexing(), "partitions", service.settings().partitions().size())
                : Map.of("indexing", false, "failure", failure.toString());
    }

    @Override
    protected String getName() {
        return "search";
    }
}
