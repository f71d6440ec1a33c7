package chat.common.health;

import chat.common.config.ChatSettings;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code /health} part "kafka": UP when the cluster answers a describe within 2 s. */
@Singleton
public class KafkaHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> implements AutoCloseable {
    private final Admin admin;

    KafkaHealthIndicator(final ChatSettings settings) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "health",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000));
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        final Map<String, Object> details = new LinkedHashMap<>();
        try {
            final var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000));
            details.put("clusterId", cluster.clusterId().get(2, TimeUnit.SECONDS));
            details.put("brokers", cluster.nodes().get(2, TimeUnit.SECONDS).size());
            healthStatus = HealthStatus.UP;
        } catch (Exception e) {
            details.put("error", e.toString());
            healthStatus = HealthStatus.DOWN;
        }
        return details;
    }

    @Override
    protected String getName() {
        return "kafka";
    }

    @Override
    @PreDestroy
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
