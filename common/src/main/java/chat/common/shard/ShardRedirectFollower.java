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
 * Makes a service follow blue/green cut-overs of its shards: every
 * {@code chat.shards.redirect-poll-ms} (default 1000; 0 = never) it reads the
 * {@link ShardRedirects redirect} of each shard's current database and
 * {@link ShardDataSources#reroute reroutes} the shard when one is published. Runs on one daemon
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

    /** Checks every shard once; returns how many were rerouted. */
    public int pollOnce() {
        int changed = 0;
        for (int s = 0; s < shards.count(); s++) {
            try (Connection c = shards.shard(s).getConnection()) {
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

    @PreDestroy
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
