package chat.edge.presence;

import chat.common.redis.PresenceKeys;
import chat.common.redis.RedisGate;
import chat.edge.PresenceSettings;
import chat.edge.access.TeamView;
import chat.edge.consume.ResumeService;
import chat.edge.delivery.SubscriptionRegistry;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Wires presence and typing on this edge: the {@link Presence} writer (subscriptions -> Redis),
 * its refresh and sweep timers, and this edge's Redis pub/sub subscription to
 * {@link PresenceKeys#PRESENCE_CHANNEL} and {@link PresenceKeys#TYPING_CHANNEL}, whose messages
 * {@link PresenceFanout} delivers to local subscribers. The pub/sub connection is opened lazily
 * and again every second until it succeeds (Redis may start after the edge); once open, Lettuce
 * reconnects and re-subscribes by itself. Without {@code redis.uri} (or with
 * {@code chat.edge.presence.enabled=false}) presence is unavailable and nothing else changes.
 */
@Context
@Requires(property = "chat.edge.enabled", notEquals = "false")
public final class PresenceService {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);

    private final SubscriptionRegistry registry;
    private final PresenceSettings settings;
    private final RedisClient client;
    private final PresenceStore store;
    private final Presence presence;
    private final PresenceFanout fanout;
    private final ThreadPoolExecutor writes;
    private ScheduledExecutorService timer;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean stopped;

    PresenceService(final SubscriptionRegistry registry, final PresenceSettings settings,
                    @Nullable final RedisGate gate, @Nullable final RedisClient client,
                    @Nullable final ResumeService resumes) {
        this.registry = registry;
        this.settings = settings;
        final boolean on = settings.enabled() && gate != null && client != null;
        this.client = on ? client : null;
        this.store = on ? new RedisPresenceStore(gate) : null;
        this.writes = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.maxPendingOps()),
                Thread.ofPlatform().name("edge-presence").daemon(true).factory());
        this.presence = store == null ? Presence.unavailable()
                : new Presence(store, writes, UUID.randomUUID().toString().substring(0, 12), settings.ttl().toMillis());
        this.fanout = new PresenceFanout(registry, new PresenceFanout.Views() {
            @Override
            public boolean filtering() {
                return resumes != null && resumes.filtersByMembership();
            }

            @Override
            public TeamView view(final String team) {
                return resumes == null ? null : resumes.view(team).orElse(null);
            }
        }, settings.maxBroadcastMembers());
    }

    @PostConstruct
    void start() {
        if (store == null) {
            LOG.info("presence and typing unavailable on this edge ({})", settings.enabled()
                    ? "no redis.uri" : "chat.edge.presence.enabled=false");
            return;
        }
        registry.listen(presence);
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("edge-presence-timer")
                .daemon(true).factory());
        timer.scheduleWithFixedDelay(guarded(presence::heartbeat), settings.refreshInterval().toMillis(),
                settings.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(guarded(presence::sweep), settings.sweepInterval().toMillis(),
                settings.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
        timer.execute(this::subscribeOrRetry);
    }

    private Runnable guarded(final Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("presence timer task failed: {}", e.toString());
            }
        };
    }

    private void subscribeOrRetry() {
        if (stopped || pubsub != null) {
            return;
        }
        try {
            final StatefulRedisPubSubConnection<String, String> c = client.connectPubSub();
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(final String channel, final String message) {
                    try {
                        if (PresenceKeys.PRESENCE_CHANNEL.equals(channel)) {
                            fanout.onPresence(message);
                        } else if (PresenceKeys.TYPING_CHANNEL.equals(channel)) {
                            fanout.onTyping(message);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("cannot deliver {} message '{}': {}", channel, message, e.toString());
                    }
                }
            });
            c.sync().subscribe(PresenceKeys.PRESENCE_CHANNEL, PresenceKeys.TYPING_CHANNEL);
            pubsub = c;
            LOG.info("subscribed to Redis channels {} and {}", PresenceKeys.PRESENCE_CHANNEL, PresenceKeys.TYPING_CHANNEL);
        } catch (RedisException e) {
            LOG.warn("cannot subscribe to presence channels yet (retry in 1 s): {}", e.getMessage());
            if (!stopped) {
                timer.schedule(this::subscribeOrRetry, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** The edge's presence writer (always present; {@link Presence#available()} false without Redis). */
    public Presence presence() {
        return presence;
    }

    /** The typing interval per connection and channel, in nanoseconds. */
    public long typingIntervalNanos() {
        return settings.typingInterval().toNanos();
    }

    /** Presence changes not pushed because their team is above {@code max-broadcast-members}. */
    public long suppressedPresenceChanges() {
        return fanout.suppressed();
    }

    /** True when this edge's pub/sub subscription is open (tests). */
    public boolean listening() {
        final StatefulRedisPubSubConnection<String, String> c = pubsub;
        return c != null && c.isOpen();
    }

    /** The state of each of {@code users} in {@code team}, in order. */
    List<String> query(final String team, final List<String> users) {
        if (store == null) {
            throw new PresenceStore.Unavailable("presence is not configured on this edge (no redis.uri)", null);
        }
        return store.query(team, users);
    }

    @PreDestroy
    void stop() {
        stopped = true;
        registry.listen(null);
        presence.dropAll();
        if (timer != null) {
            timer.shutdownNow();
        }
        // Drop this edge's connections now rather than after the TTL (closing the context closes
        // every socket with 4000 first; their drops are queued).
        writes.shutdown();
        try {
            writes.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final StatefulRedisPubSubConnection<String, String> c = pubsub;
        if (c != null) {
            c.close();
        }
    }
}
