package chat.edge.read;

import chat.common.redis.ChannelListKeys;
import chat.common.redis.ReadCacheKeys;
import chat.common.redis.RedisGate;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.List;
import java.util.Optional;

/**
 * The read path's side of the Redis read cache (layout and staleness rule: {@link ReadCacheKeys}).
 * {@link #history} answers a history page with the authorization decided from cached, valid
 * membership in one script call, or says why it cannot. A hit is the whole answer as Redis joined
 * it from the stored message objects, passed on as bytes (nothing decoded or re-encoded here); {@link #fill} installs a shard snapshot
 * of a cold team and channel, refused by Redis when the cache already moved past it. {@link #channels}
 * and {@link #fillList} do the same for a team's channel list ({@link ChannelListKeys}).
 */
final class ReadCache {
    enum Outcome { HIT, NOT_TEAM, NOT_CHANNEL, COLD, SHALLOW, UNAVAILABLE }

    /** {@code body} is the whole answer object (UTF-8 JSON, fields "messages" and "nextCursor") on a HIT, as Redis joined it. */
    record Answer(Outcome outcome, byte[] body) {
    }

    private final RedisGate gate;
    private final ReadCacheStats stats;

    ReadCache(final RedisGate gate, final ReadCacheStats stats) {
        this.gate = gate;
        this.stats = stats;
    }

    Answer history(final int partition, final String team, final String channel, final String user, final long before,
                   final int limit) {
        final Optional<RedisCommands<String, byte[]>> redis = gate.byteCommands();
        if (redis.isEmpty()) {
            stats.unavailable.increment();
            return new Answer(Outcome.UNAVAILABLE, null);
        }
        final List<Object> r;
        try {
            r = ReadCacheKeys.evalBytes(redis.get(), ReadCacheKeys.READ, ScriptOutputType.MULTI, ReadCacheKeys.state(partition),
                    ReadCacheKeys.prefix(partition), team, channel, user,
                    before == Long.MAX_VALUE ? "+inf" : "(" + before, Integer.toString(limit));
        } catch (RedisException e) {
            stats.errors.increment();
            return new Answer(Outcome.UNAVAILABLE, null);
        }
        return answer(r);
    }

    private Answer answer(final List<Object> r) {
        final int code = ((Number) r.get(0)).intValue();
        switch (code) {
            case 1 -> {
                stats.hits.increment();
                return new Answer(Outcome.NOT_TEAM, null);
            }
            case 2 -> {
                stats.hits.increment();
                return new Answer(Outcome.NOT_CHANNEL, null);
            }
            case 3 -> {
                stats.shallow.increment();
                return new Answer(Outcome.SHALLOW, null);
            }
            case 4 -> {
                stats.hits.increment();
                return new Answer(Outcome.HIT, (byte[]) r.get(1));
            }
            default -> {
                stats.cold.increment();
                return new Answer(Outcome.COLD, null);
            }
        }
    }

    /** Installs {@code snapshot} (taken from the shard) unless the cache already moved past it. */
    void fill(final int partition, final ReadModelQueries.Snapshot snapshot) {
        final Optional<RedisCommands<String, String>> redis = gate.commands();
        if (redis.isEmpty()) {
            return;
        }
        try {
            final Long ok = ReadCacheKeys.eval(redis.get(), ReadCacheKeys.INSTALL, ScriptOutputType.INTEGER,
                    ReadCacheKeys.state(partition), ReadCacheKeys.prefix(partition), Long.toString(snapshot.checkpoint()),
                    ReadCacheKeys.newEpoch(), snapshot.toJson());
            (ok != null && ok == 1L ? stats.fills : stats.fillsRefused).increment();
        } catch (RedisException e) {
            stats.fillsRefused.increment();
        }
    }

    /**
     * The caller's channel list of a team ({@link ChannelListKeys#LIST}): a HIT carries the whole
     * answer {@code {"channels":[...]}}; NOT_TEAM is decided from cached team membership; SHALLOW means
     * a read marker lies below a channel's unread window (the shard must count).
     */
    Answer channels(final int partition, final String team, final String user) {
        final Optional<RedisCommands<String, byte[]>> redis = gate.byteCommands();
        if (redis.isEmpty()) {
            stats.listUnavailable.increment();
            return new Answer(Outcome.UNAVAILABLE, null);
        }
        final List<Object> r;
        try {
            r = ReadCacheKeys.evalBytes(redis.get(), ChannelListKeys.LIST, ScriptOutputType.MULTI, ReadCacheKeys.state(partition),
                    ReadCacheKeys.prefix(partition), team, user);
        } catch (RedisException e) {
            stats.listErrors.increment();
            return new Answer(Outcome.UNAVAILABLE, null);
        }
        switch (((Number) r.get(0)).intValue()) {
            case 1 -> {
                stats.listHits.increment();
                return new Answer(Outcome.NOT_TEAM, null);
            }
            case 3 -> {
                stats.listShallow.increment();
                return new Answer(Outcome.SHALLOW, null);
            }
            case 4 -> {
                stats.listHits.increment();
                return new Answer(Outcome.HIT, (byte[]) r.get(1));
            }
            default -> {
                stats.listCold.increment();
                return new Answer(Outcome.COLD, null);
            }
        }
    }

    /** Installs a team's channel-list snapshot (taken from the shard) unless the cache already moved past it. */
    void fillList(final int partition, final ReadModelQueries.ListSnapshot snapshot) {
        final Optional<RedisCommands<String, String>> redis = gate.commands();
        if (redis.isEmpty()) {
            return;
        }
        try {
            final Long ok = ReadCacheKeys.eval(redis.get(), ChannelListKeys.LIST_INSTALL, ScriptOutputType.INTEGER,
                    ReadCacheKeys.state(partition), ReadCacheKeys.prefix(partition), Long.toString(snapshot.checkpoint()),
                    ReadCacheKeys.newEpoch(), ReadCacheKeys.newEpoch(), snapshot.toJson());
            (ok != null && ok == 1L ? stats.listFills : stats.listFillsRefused).increment();
        } catch (RedisException e) {
            stats.listFillsRefused.increment();
        }
    }

    /** Whether Redis answers now (for the fill decision: no shard snapshot when nobody can take it). */
    boolean reachable() {
        return gate.commands().isPresent();
    }
}
