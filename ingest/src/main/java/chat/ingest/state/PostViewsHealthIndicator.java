package chat.ingest.state;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /health} part "postViews": whether plain posts are decided on kept views now (the
 * restriction feed is live) and the counters since start. Always UP: without a live feed every
 * post reads the shard, which is slower, not wrong.
 *
 * <pre>{@code
 * "postViews": {"status": "UP", "details": {"feed": "live", "hits": 950, "misses": 40, "stale": 2, "bypassed": 8, "entries": 38}}
 * }</pre>
 */
@Singleton
@Requires(beans = PostViews.class)
public class PostViewsHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final PostViews views;

    PostViewsHealthIndicator(final PostViews views) {
        this.views = views;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        final PostViews.Stats s = views.stats();
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put("feed", views.isLive() ? "live" : "not live: every post reads the shard");
        details.put("hits", s.hits());
        details.put("misses", s.misses());
        details.put("stale", s.stale());
        details.put("bypassed", s.bypassed());
        details.put("entries", s.entries());
        healthStatus = HealthStatus.UP;
        return details;
    }

    @Override
    protected String getName() {
        return "postViews";
    }
}
