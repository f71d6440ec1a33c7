package chat.common.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that knows the Redis layout of presence and typing: key names, pub/sub channels
 * and the scripts that change presence atomically. Every key carries the hash tag {@code {pr}}, so
 * the scripts (which touch one connection's teams together) run in one cluster slot.
 *
 * <pre>
 * pr:{pr}:exp              zset  connection id -> expiry (ms, Redis time); refreshed by the connection's
 *                                edge every refresh interval (one ZADD per batch of connections)
 * pr:{pr}:c:CONN           hash  u = user, s = online|away, t:TEAM = online|away for every team the connection
 *                                counts in (the state it is counted with there)
 * pr:{pr}:u:TEAM:USER      hash  connection id -> online|away (the user's registered connections in the team)
 * pr:{pr}:n:TEAM:USER      hash  o = how many of them are online, a = how many away (absent = 0)
 * </pre>
 *
 * <p><b>State.</b> A user is {@code online} in a team when one of their connections in it is
 * online, {@code away} when all of them are away, else {@code offline}. A connection id is
 * {@code <edge id>:<session id>}, unique across edges. Every script reads the user's state before
 * and after its change from the counters (O(1): no script reads all of a user's connections, so a
 * user with 10,000 connections costs what a user with one does) and publishes
 * {@code "TEAM USER STATE"} on {@link #PRESENCE_CHANNEL} only when it changed, so heartbeats never
 * broadcast. The counters include a connection whose edge stopped refreshing until it is swept
 * (its offline change is published then); a query looks at expiries too. Expired
 * connections (their edge was killed or partitioned away) are removed by {@link #SWEEP}, which
 * every edge runs periodically; a query ({@link #QUERY}) ignores expired connections even before
 * they are swept.
 *
 * <p>Typing is not stored: an edge publishes {@code "TEAM CHANNEL USER"} on {@link #TYPING_CHANNEL}.
 * Ids match {@code [A-Za-z0-9_-]}, so a space separates fields safely.
 *
 * <pre>{@code
 * PresenceKeys.eval(redis, PresenceKeys.JOIN, ScriptOutputType.VALUE, conn, user, team, "online", "30000");
 * }</pre>
 */
public final class PresenceKeys {
    /** Hash tag and prefix of every presence key. */
    static final String PREFIX = "pr:{pr}:";
    /** Pub/sub channel of presence changes: {@code "TEAM USER online|away|offline"}. */
    public static final String PRESENCE_CHANNEL = "chat.presence";
    /** Pub/sub channel of typing indicators: {@code "TEAM CHANNEL USER"}. */
    public static final String TYPING_CHANNEL = "chat.typing";

    public static final String ONLINE = "online";
    public static final String AWAY = "away";
    public static final String OFFLINE = "offline";

    private PresenceKeys() {
    }

    public static String expiries() {
        return PREFIX + "exp";
    }

    public static String connection(final String connection) {
        return PREFIX + "c:" + connection;
    }

    public static String user(final String team, final String user) {
        return PREFIX + "u:" + team + ":" + user;
    }

    public static String counts(final String team, final String user) {
        return PREFIX + "n:" + team + ":" + user;
    }

    /** The same layout in Lua (no ARGV needed). */
    static final String LUA = """
            local P = '%s'
            local kExp = P .. 'exp'
            local function kC(c) return P .. 'c:' .. c end
            local function kU(t, u) return P .. 'u:' .. t .. ':' .. u end
            local function kN(t, u) return P .. 'n:' .. t .. ':' .. u end
            local function now()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            -- the user's state from the counters of their connections in the team: O(1); counts
            -- every registered connection, expired or not, until it is dropped or swept
            local function counted(t, u)
              local n = redis.call('HMGET', kN(t, u), 'o', 'a')
              if (tonumber(n[1]) or 0) > 0 then return 'online' end
              if (tonumber(n[2]) or 0) > 0 then return 'away' end
              return 'offline'
            end
            -- counts connection c in (d = 1) or out of (d = -1) team t with state st
            local function count(t, u, c, st, d)
              local f = (st == 'online') and 'o' or 'a'
              local v = redis.call('HINCRBY', kN(t, u), f, d)
              if d > 0 then
                redis.call('HSET', kU(t, u), c, st)
              else
                if v <= 0 then redis.call('HDEL', kN(t, u), f) end
                redis.call('HDEL', kU(t, u), c)
              end
            end
            local function changed(t, u, before)
              local after = counted(t, u)
              if after ~= before then redis.call('PUBLISH', '%s', t .. ' ' .. u .. ' ' .. after) end
              return after
            end
            -- the user's state from their unexpired connections (queries only): stops at the first
            -- live online connection, so it reads the whole hash only when most entries lapsed
            local function live(t, u, ms)
              local c = counted(t, u)
              if c == 'offline' then return c end
              local st, cursor = 'offline', '0'
              repeat
                local r = redis.call('HSCAN', kU(t, u), cursor, 'COUNT', 100)
                cursor = r[1]
                local h = r[2]
                for i = 1, #h, 2 do
                  local exp = redis.call('ZSCORE', kExp, h[i])
                  if exp and tonumber(exp) > ms then
                    if h[i + 1] == 'online' then return 'online' end
                    st = 'away'
                    if c == 'away' then return st end
                  end
                end
              until cursor == '0'
              return st
            end
            local function drop(c)
              local h = redis.call('HGETALL', kC(c))
              local u
              for i = 1, #h, 2 do if h[i] == 'u' then u = h[i + 1] end end
              redis.call('ZREM', kExp, c)
              redis.call('DEL', kC(c))
              if not u then return end
              for i = 1, #h, 2 do
                if string.sub(h[i], 1, 2) == 't:' then
                  local t = string.sub(h[i], 3)
                  local before = counted(t, u)
                  count(t, u, c, h[i + 1], -1)
                  changed(t, u, before)
                end
              end
            end
            """.formatted(PREFIX, PRESENCE_CHANNEL);

    /**
     * A connection counts in a team (after its subscribe; again is harmless). ARGV: conn, user,
     * team, online|away, ttl ms. Returns the user's state in the team. O(1).
     */
    public static final String JOIN = LUA + """
            local c, u, t, s = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
            local ms = now()
            local before = counted(t, u)
            local prev = redis.call('HGET', kC(c), 't:' .. t)
            if prev then count(t, u, c, prev, -1) end
            count(t, u, c, s, 1)
            redis.call('ZADD', kExp, ms + tonumber(ARGV[5]), c)
            redis.call('HSET', kC(c), 'u', u, 's', s, 't:' .. t, s)
            return changed(t, u, before)
            """;

    /** A connection stops counting in a team (unsubscribed, removed). ARGV: conn, team. Returns the state. O(1). */
    public static final String LEAVE = LUA + """
            local c, t = ARGV[1], ARGV[2]
            local r = redis.call('HMGET', kC(c), 'u', 't:' .. t)
            local u, prev = r[1], r[2]
            if not u then return 'offline' end
            if not prev then return counted(t, u) end
            local before = counted(t, u)
            redis.call('HDEL', kC(c), 't:' .. t)
            count(t, u, c, prev, -1)
            return changed(t, u, before)
            """;

    /** A connection closed: it stops counting everywhere. ARGV: conn. O(its teams). */
    public static final String DROP = LUA + """
            drop(ARGV[1])
            return 1
            """;

    /**
     * A connection's own state (the client's presence op). ARGV: conn, online|away. Returns 1, 0
     * when unknown. O(its teams).
     */
    public static final String SET_STATE = LUA + """
            local c, s = ARGV[1], ARGV[2]
            local h = redis.call('HGETALL', kC(c))
            if #h == 0 then return 0 end
            local u
            for i = 1, #h, 2 do if h[i] == 'u' then u = h[i + 1] end end
            redis.call('HSET', kC(c), 's', s)
            for i = 1, #h, 2 do
              if string.sub(h[i], 1, 2) == 't:' and h[i + 1] ~= s then
                local t = string.sub(h[i], 3)
                local before = counted(t, u)
                count(t, u, c, h[i + 1], -1)
                count(t, u, c, s, 1)
                redis.call('HSET', kC(c), h[i], s)
                changed(t, u, before)
              end
            end
            return 1
            """;

    /**
     * The heartbeat of an edge's connections: extends each one's expiry. ARGV: ttl ms, conn...
     * Returns the connections Redis does not know (lost with a Redis restart, or swept while their
     * edge stalled): the edge registers them again.
     */
    public static final String REFRESH = LUA + """
            local ms = now()
            local exp = ms + tonumber(ARGV[1])
            local missing = {}
            for i = 2, #ARGV do
              if redis.call('ZSCORE', kExp, ARGV[i]) then
                redis.call('ZADD', kExp, exp, ARGV[i])
              else
                table.insert(missing, ARGV[i])
              end
            end
            return missing
            """;

    /** Removes up to ARGV[1] expired connections (publishing the resulting changes); returns how many. */
    public static final String SWEEP = LUA + """
            local ms = now()
            local dead = redis.call('ZRANGEBYSCORE', kExp, '-inf', ms, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, c in ipairs(dead) do drop(c) end
            return #dead
            """;

    /** The states of users in a team. ARGV: team, user...; returns one state per user, in order. */
    public static final String QUERY = LUA + """
            local ms = now()
            local out = {}
            for i = 2, #ARGV do out[#out + 1] = live(ARGV[1], ARGV[i], ms) end
            return out
            """;

    /** Runs {@code script} by its SHA1, loading it when Redis does not know it (e.g. after a restart). */
    public static <T> T eval(final RedisCommands<String, String> redis, final String script, final ScriptOutputType type,
                             final String... args) {
        final String[] keys = {expiries()};
        try {
            return redis.evalsha(sha1(script), type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(script, type, keys, args);
        }
    }

    private static final Map<String, String> SHAS = new ConcurrentHashMap<>();

    static String sha1(final String script) {
        return SHAS.computeIfAbsent(script, s -> {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
