package chat.common.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place that knows the Redis layout of the read cache: key names (in Java and, generated
 * from the same constants, in Lua) and the three scripts that touch it. The projector writes
 * through ({@link #APPLY}), the read path reads ({@link #READ}) and fills a cold channel from a
 * shard snapshot ({@link #INSTALL}). Every key of a partition carries the hash tag
 * {@code {p<partition>}}, so one script only touches one cluster slot.
 *
 * <pre>
 * rc:{p7}:s                  hash  e = epoch token, n = next offset the cache has applied (continuity point),
 *                                  r = run_id of the Redis process that holds it, f = layout version ({@value #FORMAT})
 * rc:{p7}:t:TEAM             hash  e = epoch, v = version, nm = member count
 * rc:{p7}:tm:TEAM            set   user ids of the team's members
 * rc:{p7}:c:TEAM:CHANNEL     hash  e, v, priv (0/1), full (1 = window holds the whole history), nm, nw
 * rc:{p7}:cm:TEAM:CHANNEL    set   user ids of the channel's members
 * rc:{p7}:w:TEAM:CHANNEL     zset  the newest N root messages not deleted: score = log offset, member = message id
 * rc:{p7}:b:TEAM:CHANNEL     hash  message id -> {@link CachedMessage#encode()} (the read API's message object)
 * rc:{p7}:l*:TEAM…           the team's channel list (channels, memberships and read markers, unread counts): {@link ChannelListKeys}
 * </pre>
 *
 * <p>A state written by another layout version ({@code f}) is no state: the first batch or fill
 * starts a new epoch, so entries of an older layout are never read (they are replaced by the next
 * fill of their channel).
 *
 * <p><b>Staleness rule.</b> A team or channel entry is valid only while its {@code e} equals the
 * partition's current epoch {@code rc:{p}:s.e}, and its sets match the counts it records (an evicted
 * part reads as cold, never as "not a member"). The projector applies each committed batch
 * {@code [first, next)} only when {@code s.n >= first} (continuity); a gap (Redis missed a batch,
 * was restarted, empty or from a snapshot: {@code s.r} is not its run_id any more, the state was
 * evicted) makes it pick a new epoch, which invalidates every
 * entry of the partition at once. Within an epoch, an entry with version {@code v} takes only
 * changes at offsets {@code >= v}, so a replay and a fill taken at a newer checkpoint never apply
 * a change twice. A fill from a shard snapshot taken at checkpoint {@code C} is installed only when
 * {@code s.n <= C} (nothing newer was applied that the snapshot lacks), with {@code v = C}. No TTLs.
 *
 * <pre>{@code
 * String k = ReadCacheKeys.window(7, "acme", "general"); // rc:{p7}:w:acme:general
 * }</pre>
 */
public final class ReadCacheKeys {
    static final String ROOT = "rc:";
    static final String STATE = "s";
    static final String TEAM = "t:";
    static final String TEAM_MEMBERS = "tm:";
    static final String CHANNEL = "c:";
    static final String CHANNEL_MEMBERS = "cm:";
    static final String WINDOW = "w:";
    static final String BODIES = "b:";
    /**
     * Version of the stored layout; entries of another version are invalid. 2 = bodies are read API
     * objects, 3 = the batch script also writes the channel lists ({@link ChannelListKeys}), so a
     * projector of layout 2 (which does not) never feeds a state that list readers trust.
     */
    static final String FORMAT = "3";

    private ReadCacheKeys() {
    }

    /** {@code rc:{p<partition>}:}, the prefix of every key of the partition. */
    public static String prefix(final int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        return ROOT + "{p" + partition + "}:";
    }

    public static String state(final int partition) {
        return prefix(partition) + STATE;
    }

    public static String team(final int partition, final String team) {
        return prefix(partition) + TEAM + team;
    }

    public static String teamMembers(final int partition, final String team) {
        return prefix(partition) + TEAM_MEMBERS + team;
    }

    public static String channel(final int partition, final String team, final String channel) {
        return prefix(partition) + CHANNEL + team + ":" + channel;
    }

    public static String channelMembers(final int partition, final String team, final String channel) {
        return prefix(partition) + CHANNEL_MEMBERS + team + ":" + channel;
    }

    public static String window(final int partition, final String team, final String channel) {
        return prefix(partition) + WINDOW + team + ":" + channel;
    }

    public static String bodies(final int partition, final String team, final String channel) {
        return prefix(partition) + BODIES + team + ":" + channel;
    }

    /** A fresh epoch token: never equal to an earlier one, also after Redis lost its state. */
    public static String newEpoch() {
        return Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    /** The same layout in Lua; ARGV[1] is always {@link #prefix(int)}. */
    static final String LUA_KEYS = """
            local P = ARGV[1]
            local function kS() return P .. '%s' end
            local function kT(t) return P .. '%s' .. t end
            local function kTM(t) return P .. '%s' .. t end
            local function kC(t, c) return P .. '%s' .. t .. ':' .. c end
            local function kCM(t, c) return P .. '%s' .. t .. ':' .. c end
            local function kW(t, c) return P .. '%s' .. t .. ':' .. c end
            local function kB(t, c) return P .. '%s' .. t .. ':' .. c end
            local F = '%s'
            local function runId() return string.match(redis.call('INFO', 'server'), 'run_id:(%%w+)') end
            local function state()
              local st = redis.call('HMGET', kS(), 'e', 'n', 'r', 'f')
              if st[4] ~= F or st[3] ~= runId() then return nil, nil end
              return st[1], tonumber(st[2])
            end
            local function newState(e, n) redis.call('HSET', kS(), 'e', e, 'n', n, 'r', runId(), 'f', F) end
            -- the stored message object with the value between field names a and b (nil: the closing brace) replaced
            local function splice(s, a, b, v)
              local i = string.find(s, a, 1, true)
              if not i then return nil end
              local j = #s
              if b then
                j = string.find(s, b, i + #a, true)
                if not j then return nil end
              end
              return string.sub(s, 1, i + #a - 1) .. v .. string.sub(s, j)
            end
            """.formatted(STATE, TEAM, TEAM_MEMBERS, CHANNEL, CHANNEL_MEMBERS, WINDOW, BODIES, FORMAT);

    /**
     * The projector's write-through of one committed batch. ARGV: prefix, first, next, new epoch
     * token, window size N, ops (JSON array of arrays, offset order):
     * {@code ["tm+"|"tm-", off, team, user]}, {@code ["cm+"|"cm-", off, team, channel, user]},
     * {@code ["m+", off, team, channel, messageId, encoded]}, {@code ["me", off, team, channel, messageId, jsonText, jsonEditedAt]},
     * {@code ["md", off, team, channel, messageId]}, {@code ["rs", off, team, channel, rootId, jsonReplyCount, jsonLastReplyAt]}
     * (the {@code json*} values rendered by {@link CachedMessage#jsonString}/{@link CachedMessage#jsonNumber}, spliced into the
     * stored object; a stored object that cannot be spliced makes its channel entry cold), and the channel
     * lists' ops {@code ["L…", off, team, …]} (and {@code cm+}/{@code cm-} again) documented on {@link ChannelListKeys#LUA_LIST}.
     * Returns 0 = gap (new epoch, nothing applied), 1 = already applied, 2 = applied.
     */
    public static final String APPLY = LUA_KEYS + ChannelListKeys.LUA_LIST + """
            local TEXT, CREATED, EDITED, POSITION, REPLIES, LAST_REPLY = '%s', '%s', '%s', '%s', '%s', '%s'
            local first = tonumber(ARGV[2])
            local nxt = tonumber(ARGV[3])
            local N = tonumber(ARGV[5])
            local e, n = state()
            if (not e) or (not n) or n < first then
              newState(ARGV[4], ARGV[3])
              return 0
            end
            if n >= nxt then return 1 end
            local function valid(k, off)
              local h = redis.call('HMGET', k, 'e', 'v')
              return h[1] == e and off >= tonumber(h[2])
            end
            for _, op in ipairs(cjson.decode(ARGV[6])) do
              local kind, off = op[1], op[2]
              if off >= n and string.sub(kind, 1, 1) == 'L' then
                listOp(e, N, op)
              elseif off >= n then
                if kind == 'cm+' or kind == 'cm-' then listOp(e, N, op) end
                if kind == 'tm+' or kind == 'tm-' then
                  local k = kT(op[3])
                  if valid(k, off) then
                    local s = kTM(op[3])
                    if kind == 'tm+' then redis.call('SADD', s, op[4]) else redis.call('SREM', s, op[4]) end
                    redis.call('HSET', k, 'v', off, 'nm', redis.call('SCARD', s))
                  end
                else
                  local k = kC(op[3], op[4])
                  if valid(k, off) then
                    if kind == 'cm+' or kind == 'cm-' then
                      local s = kCM(op[3], op[4])
                      if kind == 'cm+' then redis.call('SADD', s, op[5]) else redis.call('SREM', s, op[5]) end
                      redis.call('HSET', k, 'nm', redis.call('SCARD', s))
                    else
                      local w, b = kW(op[3], op[4]), kB(op[3], op[4])
                      if kind == 'm+' then
                        if redis.call('HEXISTS', b, op[5]) == 0 then
                          redis.call('ZADD', w, off, op[5])
                          redis.call('HSET', b, op[5], op[6])
                          local card = redis.call('ZCARD', w)
                          if card > N then
                            local old = redis.call('ZRANGE', w, 0, card - N - 1)
                            redis.call('HDEL', b, unpack(old))
                            redis.call('ZREMRANGEBYRANK', w, 0, card - N - 1)
                            redis.call('HSET', k, 'full', '0')
                          end
                        end
                      elseif kind == 'me' or kind == 'rs' then
                        local raw = redis.call('HGET', b, op[5])
                        if raw then
                          if kind == 'me' then
                            raw = splice(raw, TEXT, CREATED, op[6])
                            if raw then raw = splice(raw, EDITED, POSITION, op[7]) end
                          else
                            raw = splice(raw, REPLIES, LAST_REPLY, op[6])
                            if raw then raw = splice(raw, LAST_REPLY, nil, op[7]) end
                          end
                          if raw then redis.call('HSET', b, op[5], raw) else redis.call('HSET', k, 'e', '') end
                        end
                      elseif kind == 'md' then
                        redis.call('ZREM', w, op[5])
                        redis.call('HDEL', b, op[5])
                      end
                      redis.call('HSET', k, 'nw', redis.call('ZCARD', w))
                    end
                    redis.call('HSET', k, 'v', off)
                  end
                end
              end
            end
            redis.call('HSET', kS(), 'n', ARGV[3])
            return 2
            """.formatted(CachedMessage.TEXT, CachedMessage.CREATED_AT, CachedMessage.EDITED_AT, CachedMessage.POSITION,
            CachedMessage.REPLY_COUNT, CachedMessage.LAST_REPLY_AT);

    /**
     * Marks a partition's cache stale after the projector failed to write through: a new epoch
     * (every entry invalid), continuity from {@code next}. ARGV: prefix, new epoch token, next.
     */
    public static final String INVALIDATE = LUA_KEYS + """
            local _, n = state()
            if (not n) or n < tonumber(ARGV[3]) then n = ARGV[3] end
            newState(ARGV[2], n)
            return 1
            """;

    /**
     * A reader's fill of one team and channel from a shard snapshot taken at checkpoint C. ARGV:
     * prefix, C, new epoch token (used when the partition has no state yet), snapshot JSON
     * {@code {"t":team,"tm":[users],"c":channel,"priv":0|1,"cm":[users],"full":0|1,"w":[[id,offset,encoded],...]}}.
     * Returns 1 installed, 0 refused (the cache already applied changes the snapshot lacks).
     */
    public static final String INSTALL = LUA_KEYS + """
            local C = tonumber(ARGV[2])
            local e, n = state()
            if not e then
              e = ARGV[3]
              newState(e, ARGV[2])
            elseif n > C then
              return 0
            end
            local snap = cjson.decode(ARGV[4])
            local function addAll(key, list)
              for i = 1, #list, 500 do redis.call('SADD', key, unpack(list, i, math.min(i + 499, #list))) end
            end
            local function stale(k)
              local h = redis.call('HMGET', k, 'e', 'v')
              return h[1] ~= e or tonumber(h[2]) < C
            end
            local tk = kT(snap.t)
            if stale(tk) then
              redis.call('DEL', tk, kTM(snap.t))
              addAll(kTM(snap.t), snap.tm)
              redis.call('HSET', tk, 'e', e, 'v', C, 'nm', #snap.tm)
            end
            local ck = kC(snap.t, snap.c)
            if stale(ck) then
              local w, b = kW(snap.t, snap.c), kB(snap.t, snap.c)
              redis.call('DEL', ck, kCM(snap.t, snap.c), w, b)
              addAll(kCM(snap.t, snap.c), snap.cm)
              for _, m in ipairs(snap.w) do
                redis.call('ZADD', w, m[2], m[1])
                redis.call('HSET', b, m[1], m[3])
              end
              redis.call('HSET', ck, 'e', e, 'v', C, 'priv', snap.priv, 'full', snap.full, 'nm', #snap.cm, 'nw', #snap.w)
            end
            return 1
            """;

    /**
     * A history read. ARGV: prefix, team, channel, user, upper score bound ({@code +inf} or
     * {@code (offset}), limit. Returns {@code [code, encoded...]}: 0 cold (entry absent, stale or
     * partly evicted), 1 not a team member, 2 channel not visible to the user, 3 the window does not
     * reach far enough, 4 hit followed by the whole answer object, {@code {"messages":[...],"nextCursor":"<offset>"|null}},
     * the stored message objects joined as they are (newest first, at most limit).
     */
    public static final String READ = LUA_KEYS + """
            local e = state()
            if not e then return {0} end
            local th = redis.call('HMGET', kT(ARGV[2]), 'e', 'nm')
            local tm = kTM(ARGV[2])
            if th[1] ~= e or redis.call('SCARD', tm) ~= tonumber(th[2]) then return {0} end
            if redis.call('SISMEMBER', tm, ARGV[4]) == 0 then return {1} end
            local ch = redis.call('HMGET', kC(ARGV[2], ARGV[3]), 'e', 'priv', 'full', 'nm', 'nw')
            if ch[1] ~= e then return {0} end
            local cm, w, b = kCM(ARGV[2], ARGV[3]), kW(ARGV[2], ARGV[3]), kB(ARGV[2], ARGV[3])
            local nw = tonumber(ch[5])
            if redis.call('SCARD', cm) ~= tonumber(ch[4]) or redis.call('ZCARD', w) ~= nw or redis.call('HLEN', b) ~= nw then
              return {0}
            end
            if ch[2] == '1' and redis.call('SISMEMBER', cm, ARGV[4]) == 0 then return {2} end
            local limit = tonumber(ARGV[6])
            local page = redis.call('ZREVRANGEBYSCORE', w, ARGV[5], '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
            local found = #page / 2
            if found <= limit and ch[3] ~= '1' then return {3} end
            if found == 0 then return {4, '{"messages":[],"nextCursor":null}'} end
            local n = math.min(found, limit)
            local ids = {}
            for i = 1, n do ids[i] = page[2 * i - 1] end
            local bodies = redis.call('HMGET', b, unpack(ids))
            for i = 1, n do
              if not bodies[i] then return {0} end
            end
            local cursor = 'null'
            if found > limit then cursor = '"' .. string.format('%d', tonumber(page[2 * n])) .. '"' end
            return {4, '{"messages":[' .. table.concat(bodies, ',') .. '],"nextCursor":' .. cursor .. '}'}
            """;

    /**
     * Runs {@code script} by its SHA1 (loading it when Redis does not know it, e.g. after a
     * restart). {@code slotKey} names the cluster slot (any key of the partition).
     */
    public static <T> T eval(final RedisCommands<String, String> redis, final String script, final ScriptOutputType type,
                             final String slotKey, final String... args) {
        try {
            return redis.evalsha(sha1(script), type, new String[] {slotKey}, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(script, type, new String[] {slotKey}, args);
        }
    }

    /** {@link #eval} on a connection with byte values (arguments are sent as UTF-8). */
    public static <T> T evalBytes(final RedisCommands<String, byte[]> redis, final String script, final ScriptOutputType type,
                                  final String slotKey, final String... args) {
        final byte[][] values = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            values[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        try {
            return redis.evalsha(sha1(script), type, new String[] {slotKey}, values);
        } catch (RedisNoScriptException e) {
            return redis.eval(script, type, new String[] {slotKey}, values);
        }
    }

    private static final java.util.Map<String, String> SHAS = new java.util.concurrent.ConcurrentHashMap<>();

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
