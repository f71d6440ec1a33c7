package chat.edge.read;

import chat.common.redis.CachedMessage;
import chat.common.redis.ReadCacheKeys;
import chat.common.redis.RedisGate;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The read path's side of the Redis read cache (layout and staleness rule: {@link ReadCacheKeys}).
 * {@link #history} answers a history page with the authorization decided from cached, valid
 * membership in one script call, or says why it cannot; {@link #fill} installs a shard snapshot
 * of a cold team and channel, refused by Redis when the cache already moved past it.
 */
final class ReadCache {
    private static final JsonFactory JSON = new JsonFactory();

    enum Outcome { HIT, NOT_TEAM, NOT_CHANNEL, COLD, SHALLOW, UNAVAILABLE }

    /** {@code body} is the content of the answer object (fields "messages" and "nextCursor") on a HIT. */
    record Answer(Outcome outcome, String body) {
    }

    private final RedisGate gate;
    private final ReadCacheStats stats;

    ReadCache(final RedisGate gate, final ReadCacheStats stats) {
        this.gate = gate;
        this.stats = stats;
    }

    Answer history(final int partition, final String team, final String channel, final String user, final long before,
                   final int limit) {
        final Optional<RedisCommands<String, String>> redis = gate.commands();
        if (redis.isEmpty()) {
            stats.unavailable.increment();
            return new Answer(Outcome.UNAVAILABLE, null);
        }
        final List<Object> r;
        try {
            r = ReadCacheKeys.eval(redis.get(), ReadCacheKeys.READ, ScriptOutputType.MULTI, ReadCacheKeys.state(partition),
                    ReadCacheKeys.prefix(partition), team, channel, user,
                    before == Long.MAX_VALUE ? "+inf" : "(" + before, Integer.toString(limit));
        } catch (RedisException e) {
            stats.errors.increment();
            return new Answer(Outcome.UNAVAILABLE, null);
        }
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
                return new Answer(Outcome.HIT, render(r, limit));
            }
            default -> {
                stats.cold.increment();
                return new Answer(Outcome.COLD, null);
            }
        }
    }

    private static String render(final List<Object> r, final int limit) {
        final StringWriter out = new StringWriter(256 * Math.min(limit, r.size()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("messages");
            final int n = Math.min(limit, r.size() - 1);
            long last = -1;
            for (int i = 1; i <= n; i++) {
                final CachedMessage m = CachedMessage.decode((String) r.get(i));
                m.writeJson(g);
                last = m.offset();
            }
            g.writeEndArray();
            if (r.size() - 1 > limit) {
                g.writeStringField("nextCursor", Long.toString(last));
            } else {
                g.writeNullField("nextCursor");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the caller writes the enclosing object: strip our braces
        final String s = out.toString();
        return s.substring(1, s.length() - 1);
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

    /** Whether Redis answers now (for the fill decision: no shard snapshot when nobody can take it). */
    boolean reachable() {
        return gate.commands().isPresent();
    }
}
