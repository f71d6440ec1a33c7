package chat.edge;

import chat.edge.delivery.ConnectionLimits;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/** Wires the edge's plain objects; the classes themselves know nothing of dependency injection. */
@Factory
@Requires(property = "chat.edge.enabled", notEquals = "false")
class EdgeFactory {

    @Singleton
    EdgeStats edgeStats() {
        return new EdgeStats();
    }

    /** Closing the context closes every socket with 4000 (reconnect) before the server goes. */
    @Singleton
    @Bean(preDestroy = "shutdownAndWait")
    SubscriptionRegistry subscriptionRegistry(final EdgeStats stats, final EdgeSettings settings) {
        return new SubscriptionRegistry(stats, settings.maxSubscriptions());
    }

    @Singleton
    ConnectionLimits connectionLimits(final LimitSettings settings) {
        return new ConnectionLimits(settings.maxConnectionsPerUser(), settings.maxConnectionsPerIp());
    }

    @Singleton
    QueueLimits queueLimits(final EdgeSettings settings) {
        return new QueueLimits(settings.maxQueuedFrames(), settings.maxQueuedBytes());
    }
}
