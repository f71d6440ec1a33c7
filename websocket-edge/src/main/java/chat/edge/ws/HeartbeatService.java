package chat.edge.ws;

import chat.edge.LimitSettings;
import chat.edge.delivery.Heartbeats;
import chat.edge.delivery.SubscriptionRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs {@link Heartbeats#sweep} every {@code chat.edge.limits.ping-interval} (off when zero). */
@Context
@Requires(property = "chat.edge.enabled", notEquals = "false")
final class HeartbeatService {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatService.class);

    private final Heartbeats heartbeats;
    private final LimitSettings settings;
    private ScheduledExecutorService timer;

    HeartbeatService(final SubscriptionRegistry registry, final LimitSettings settings) {
        this.settings = settings;
        this.heartbeats = new Heartbeats(registry, settings.idleTimeout().toNanos(), System::nanoTime);
    }

    @PostConstruct
    void start() {
        if (settings.pingInterval().isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("edge-heartbeats").daemon(true)
                .factory());
        final long every = settings.pingInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                final int reaped = heartbeats.sweep();
                if (reaped > 0) {
                    LOG.info("closed {} idle connection(s) with 4001", reaped);
                }
            } catch (RuntimeException e) {
                LOG.warn("heartbeat sweep failed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
