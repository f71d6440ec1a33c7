package chat.edge.presence;

import chat.common.redis.PresenceKeys;
import chat.common.redis.RedisGate;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.ArrayList;
import java.util.List;

/** {@link PresenceStore} in Redis through the process's {@link RedisGate} (fail fast, no queueing). */
final class RedisPresenceStore implements PresenceStore {
    private final RedisGate gate;

    RedisPresenceStore(final RedisGate gate) {
        this.gate = gate;
    }

    private RedisCommands<String, String> redis() {
        return gate.commands().orElseThrow(() -> new Unavailable("Redis is not reachable", null));
    }

    private <T> T eval(final String script, final ScriptOutputType type, final String... args) {
        try {
            return PresenceKeys.eval(redis(), script, type, args);
        } catch (RedisException e) {
            throw new Unavailable("Redis failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void join(final String conn, final String user, final String team, final String state, final long ttlMs) {
        eval(PresenceKeys.JOIN, ScriptOutputType.VALUE, conn, user, team, state, Long.toString(ttlMs));
    }

    @Override
    public void leave(final String conn, final String team) {
        eval(PresenceKeys.LEAVE, ScriptOutputType.VALUE, conn, team);
    }

    @Override
    public void drop(final String conn) {
        eval(PresenceKeys.DROP, ScriptOutputType.INTEGER, conn);
    }

    @Override
    public void setState(final String conn, final String state) {
        eval(PresenceKeys.SET_STATE, ScriptOutputType.INTEGER, conn, state);
    }

    @Override
    public List<String> refresh(final List<String> conns, final long ttlMs) {
        final String[] args = new String[conns.size() + 1];
        args[0] = Long.toString(ttlMs);
        for (int i = 0; i < conns.size(); i++) {
            args[i + 1] = conns.get(i);
        }
        final List<Object> missing = eval(PresenceKeys.REFRESH, ScriptOutputType.MULTI, args);
        final List<String> out = new ArrayList<>(missing.size());
        missing.forEach(m -> out.add(String.valueOf(m)));
        return out;
    }

    @Override
    public long sweep(final int limit) {
        final Long n = eval(PresenceKeys.SWEEP, ScriptOutputType.INTEGER, Integer.toString(limit));
        return n == null ? 0 : n;
    }

    @Override
    public List<String> query(final String team, final List<String> users) {
        final String[] args = new String[users.size() + 1];
        args[0] = team;
        for (int i = 0; i < users.size(); i++) {
            args[i + 1] = users.get(i);
        }
        final List<Object> states = eval(PresenceKeys.QUERY, ScriptOutputType.MULTI, args);
        final List<String> out = new ArrayList<>(states.size());
        states.forEach(s -> out.add(String.valueOf(s)));
        return out;
    }

    @Override
    public void typing(final String team, final String channel, final String user) {
        try {
            redis().publish(PresenceKeys.TYPING_CHANNEL, team + " " + channel + " " + user);
        } catch (RedisException e) {
            throw new Unavailable("Redis failed: " + e.getMessage(), e);
        }
    }
}
