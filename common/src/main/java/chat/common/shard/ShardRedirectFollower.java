package chat.common.shard;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes a service follow cut-overs of its shards without a restart: every
 * {@code chat.shards.redirect-poll-ms} (default 1000; 0 = never) it reads, in each shard's current
 * database, the {@link ShardMapSwitch map switch} of a live reshard (then
 * {@link ShardDataSources#switchMap switches} map and pools at once) and the
 * {@link ShardRedirects redirect} of a blue/green rebuild (then
 * {@link ShardDataSources#reroute reroutes} that shard). Runs on one daemon
 * thread; never blocks start-up (a restarted service may read the retired copy for one poll; its
 * writes there are fenced and retried).
 *
 * <pre>{@code
 * chat.shards.redirect-poll-ms: 1000
 * }</pre>
 */
@Context
@Requires(beans = ShardDataSources.class)
@Requires(property = "chat.shards.redirect-poll-ms", notEquals = "0")
public final class ShardRedirectFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardRedirectFollower.class);

    private final ShardDataSources shards;
    private final ScheduledExecutorService timer;
    private int rejectedVersion = -1;

    public ShardRedirectFollower(final ShardDataSources shards,
                                 @Value("${chat.shards.redirect-poll-ms:1000}") final long pollMs) {
        this.shards = shards;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "shard-redirect-follower");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pollOnce, 0, Math.max(50, pollMs), TimeUnit.MILLISECONDS);
    }

    /**
     * Checks every shard once: first for a published {@link ShardMapSwitch map switch} newer than the
     * map in force (switches the whole routing and stops; the new shards are checked on the next
     * poll), then for a {@link ShardRedirects redirect} of the shard. Returns how many routes changed.
     */
    public synchronized int pollOnce() {
        int changed = 0;
        final int count = shards.count();
        final int version = shards.hasMap() ? shards.map().version() : Integer.MAX_VALUE;
        for (int s = 0; s < count; s++) {
            try (Connection c = shards.shard(s).getConnection()) {
                final Optional<ShardMapSwitch.Switch> sw = version == Integer.MAX_VALUE ? Optional.empty() : ShardMapSwitch.read(c);
                if (sw.isPresent() && sw.get().version() > version) {
                    if (follow(s, sw.get())) {
                        return changed + 1;
                    }
                    continue;
                }
                final Optional<ShardRedirects.Redirect> r = ShardRedirects.read(c);
                if (r.isPresent() && shards.reroute(s, r.get().targetUrl())) {
                    changed++;
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("cannot read the redirect of shard {} ({}): {}", s, shards.url(s), e.toString());
            }
        }
        return changed;
    }

    private boolean follow(final int shard, final ShardMapSwitch.Switch sw) {
        try {
            return shards.switchMap(sw.map(), sw.jdbcUrls());
        } catch (IllegalArgumentException e) {
            if (rejectedVersion != sw.version()) {
                rejectedVersion = sw.version();
                LOG.error("ignoring shard map v{} published in shard {} ({}): {}", sw.version(), shard, shards.url(shard),
                        e.getMessage());
            }
            return false;
        }
    }

    @PreDestroy
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
