package chat.common.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The channel-list part of the Redis read cache: a team's channels with what the list shows
 * (name, private, topic, archived, last activity), channel memberships and read markers per user,
 * and what the unread counts need, written through by the projector in the same script and
 * under the same epoch/version rule as the history entries ({@link ReadCacheKeys}), read by one
 * script that returns the rendered answer, byte for byte the shard's
 * {@code {"channels":[...]}}.
 *
 * <pre>
 * rc:{p7}:l:TEAM              hash  e = epoch, v = version, g = generation (names the keys below), nc = channel count,
 *                                   u:USER = field count of the user's hash (an evicted hash reads as cold)
 * rc:{p7}:lz:TEAM             zset  channel ids, score 0 (byte order = the shard's ORDER BY channel_id COLLATE "C")
 * rc:{p7}:lc:TEAM             hash  per channel C: j:C = the answer's object up to "archived" (rendered like the shard path),
 *                                   p:C = 0/1 private, as:C / am:C / ao:C = max created_at (JSON / epoch micros) and
 *                                   max log offset of all its messages, n:C = live root messages, t:C:U = live roots by U,
 *                                   w:C = entries of the unread window, x:C:U = window entries by U, f:C = floor
 * rc:{p7}:lk:TEAM             set   every generation key below (so a refill deletes the previous generation)
 * rc:{p7}:lu:TEAM:G:USER      hash  m:C = 1 when USER is a member of C, r:C = USER's read marker in C (message offset)
 * rc:{p7}:lw:TEAM:G:C         zset  unread window: the newest N live root messages of C, score = offset, member = "offset:author"
 * rc:{p7}:la:TEAM:G:C:USER    zset  the window's entries by USER, score = member = offset
 * </pre>
 *
 * <p><b>Unread counts.</b> The shard's definition: for a member, the root messages of the channel,
 * not deleted, by someone else, with an offset after the caller's read marker (none = -1). The
 * cache keeps per channel the count of live roots {@code n} and per author {@code t:C:U} (exact,
 * whatever the age: a post adds one, a delete that the shard applied to a live root removes one),
 * plus a window of the newest N live roots with a floor {@code f}: every live root above
 * {@code f} is in the window (f = -1 while nothing was evicted). Then, in O(channels x log N):
 * no marker: {@code n - t:C:U}; marker M >= f: {@code ZCOUNT(lw, (M, +inf) - ZCOUNT(la:U, (M, +inf)}; a marker
 * below the floor (the caller has not read the channel for more than N root messages) cannot be
 * answered from the window: the whole list is read from the shard ("shallow" miss). Memory per
 * channel: N window entries (twice: window and per author) plus one count per author and
 * one marker per member, never the history.
 *
 * <pre>{@code
 * String head = ChannelListKeys.channelHead("general", "General", false, null, false);
 * // {"channelId":"general","name":"General","private":false,"topic":null,"archived":false
 * }</pre>
 */
public final class ChannelListKeys {
    private static final JsonFactory JSON = new JsonFactory();
    /** The field names the scripts splice between in a channel's head. */
    public static final String TOPIC = ",\"topic\":";
    public static final String ARCHIVED = ",\"archived\":";

    private ChannelListKeys() {
    }

    public static String list(final int partition, final String team) {
        return ReadCacheKeys.prefix(partition) + "l:" + team;
    }

    public static String channelIds(final int partition, final String team) {
        return ReadCacheKeys.prefix(partition) + "lz:" + team;
    }

    public static String channels(final int partition, final String team) {
        return ReadCacheKeys.prefix(partition) + "lc:" + team;
    }

    /**
     * The first fields of a channel's object in the list answer, exactly as the shard path writes
     * them with Jackson, without the closing brace: {@code {"channelId":…,"name":…,"private":…,"topic":…,"archived":…}.
     */
    public static String channelHead(final String channelId, final String name, final boolean privateChannel,
                                     final String topic, final boolean archived) {
        final StringWriter out = new StringWriter(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeHead(g, channelId, name, privateChannel, topic, archived);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final String s = out.toString();
        return s.substring(0, s.length() - 1);
    }

    /** The shard path's rendering of the same fields (one object started, left open). */
    public static void writeHead(final JsonGenerator g, final String channelId, final String name, final boolean privateChannel,
                                 final String topic, final boolean archived) throws IOException {
        g.writeStartObject();
        g.writeStringField("channelId", channelId);
        g.writeStringField("name", name);
        g.writeBooleanField("private", privateChannel);
        g.writeStringField("topic", topic);
        g.writeBooleanField("archived", archived);
    }

    /** Epoch microseconds, the precision PostgreSQL keeps (so max() compares like the shard). */
    public static long micros(final Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    /**
     * Lua of the list's write-through, included in {@link ReadCacheKeys#APPLY} (needs its
     * {@code P}, {@code splice}). {@code listOp(e, N, op)} applies one op to a valid list entry
     * ({@code e} current, version {@code <=} the op's offset):
     * {@code ["Lc", off, team, channel, head, "0"|"1"]} channel created (an existing one wins),
     * {@code ["Lt", off, team, channel, jsonTopic]}, {@code ["La", off, team, channel]} archived,
     * {@code ["cm+"|"cm-", off, team, channel, user]} membership,
     * {@code ["Lm", off, team, channel, author, "1" root|"0" reply, createdMicros, jsonCreatedAt]} a message the shard stored,
     * {@code ["Ld", off, team, channel, author, logOffset]} a live root the shard deleted at this offset,
     * {@code ["Lr", off, team, channel, user, messageOffset]} a read marker (never moves back).
     */
    static final String LUA_LIST = """
            local LTOPIC, LARCHIVED = ',"topic":', ',"archived":'
            local function kL(t) return P .. 'l:' .. t end
            local function kLZ(t) return P .. 'lz:' .. t end
            local function kLC(t) return P .. 'lc:' .. t end
            local function kLK(t) return P .. 'lk:' .. t end
            local function kLU(t, g, u) return P .. 'lu:' .. t .. ':' .. g .. ':' .. u end
            local function kLW(t, g, c) return P .. 'lw:' .. t .. ':' .. g .. ':' .. c end
            local function kLA(t, g, c, u) return P .. 'la:' .. t .. ':' .. g .. ':' .. c .. ':' .. u end
            local function int(x) return string.format('%d', x) end
            local function hadd(k, f, d)
              local v = redis.call('HINCRBY', k, f, d)
              if v == 0 then redis.call('HDEL', k, f) end
            end
            -- a live root message enters the channel's unread window; the oldest beyond N leave it (raising the floor)
            local function winAdd(t, g, c, off, author, N)
              local lc, w, a = kLC(t), kLW(t, g, c), kLA(t, g, c, author)
              redis.call('ZADD', w, off, int(off) .. ':' .. author)
              redis.call('ZADD', a, off, int(off))
              redis.call('SADD', kLK(t), w, a)
              redis.call('HINCRBY', lc, 'x:' .. c .. ':' .. author, 1)
              local card = redis.call('ZCARD', w)
              if card > N then
                local old = redis.call('ZRANGE', w, 0, card - N - 1)
                local floor = tonumber(redis.call('HGET', lc, 'f:' .. c) or '-1')
                for _, m in ipairs(old) do
                  local sep = string.find(m, ':', 1, true)
                  local o, au = string.sub(m, 1, sep - 1), string.sub(m, sep + 1)
                  redis.call('ZREM', kLA(t, g, c, au), o)
                  hadd(lc, 'x:' .. c .. ':' .. au, -1)
                  if tonumber(o) > floor then floor = tonumber(o) end
                end
                redis.call('ZREMRANGEBYRANK', w, 0, card - N - 1)
                redis.call('HSET', lc, 'f:' .. c, int(floor))
                card = N
              end
              redis.call('HSET', lc, 'w:' .. c, card)
            end
            local function userSet(l, t, g, u, f, v)
              local uk = kLU(t, g, u)
              if v then redis.call('HSET', uk, f, v) else redis.call('HDEL', uk, f) end
              redis.call('SADD', kLK(t), uk)
              redis.call('HSET', l, 'u:' .. u, redis.call('HLEN', uk))
            end
            local function listOp(e, N, op)
              local kind, off, t = op[1], op[2], op[3]
              local l = kL(t)
              local h = redis.call('HMGET', l, 'e', 'v', 'g')
              if h[1] ~= e or off < tonumber(h[2]) then return end
              local g, c, lc = h[3], op[4], kLC(t)
              if kind == 'Lc' then
                if not redis.call('ZSCORE', kLZ(t), c) then
                  redis.call('ZADD', kLZ(t), 0, c)
                  redis.call('HSET', lc, 'j:' .. c, op[5], 'p:' .. c, op[6])
                  redis.call('HSET', l, 'nc', redis.call('ZCARD', kLZ(t)))
                end
              elseif kind == 'Lt' or kind == 'La' then
                local j = redis.call('HGET', lc, 'j:' .. c)
                if j then
                  if kind == 'Lt' then
                    j = splice(j, LTOPIC, LARCHIVED, op[5])
                  else
                    local i = string.find(j, LARCHIVED, 1, true)
                    if i then j = string.sub(j, 1, i + #LARCHIVED - 1) .. 'true' else j = nil end
                  end
                  if j then redis.call('HSET', lc, 'j:' .. c, j) else redis.call('HSET', l, 'e', '') end
                end
              elseif kind == 'cm+' then
                userSet(l, t, g, op[5], 'm:' .. c, '1')
              elseif kind == 'cm-' then
                userSet(l, t, g, op[5], 'm:' .. c, nil)
              elseif kind == 'Lr' then
                local cur = redis.call('HGET', kLU(t, g, op[5]), 'r:' .. c)
                if (not cur) or tonumber(cur) < tonumber(op[6]) then userSet(l, t, g, op[5], 'r:' .. c, op[6]) end
              elseif kind == 'Lm' then
                local am = redis.call('HGET', lc, 'am:' .. c)
                if (not am) or tonumber(op[7]) > tonumber(am) then
                  redis.call('HSET', lc, 'am:' .. c, op[7], 'as:' .. c, op[8])
                end
                local ao = redis.call('HGET', lc, 'ao:' .. c)
                if (not ao) or off > tonumber(ao) then redis.call('HSET', lc, 'ao:' .. c, int(off)) end
                if op[6] == '1' then
                  redis.call('HINCRBY', lc, 'n:' .. c, 1)
                  redis.call('HINCRBY', lc, 't:' .. c .. ':' .. op[5], 1)
                  winAdd(t, g, c, off, op[5], N)
                end
              elseif kind == 'Ld' then
                hadd(lc, 'n:' .. c, -1)
                hadd(lc, 't:' .. c .. ':' .. op[5], -1)
                if redis.call('ZREM', kLW(t, g, c), op[6] .. ':' .. op[5]) == 1 then
                  redis.call('ZREM', kLA(t, g, c, op[5]), op[6])
                  hadd(lc, 'x:' .. c .. ':' .. op[5], -1)
                  redis.call('HSET', lc, 'w:' .. c, redis.call('ZCARD', kLW(t, g, c)))
                end
              end
              redis.call('HSET', l, 'v', off)
            end
            """;

    /**
     * The channel list of a team for a user. ARGV: prefix, team, user. Returns {@code [code, body]}:
     * 0 cold (an entry absent, stale or partly evicted), 1 not a team member, 3 a member's read
     * marker lies below a channel's unread window (the shard must count), 4 hit followed by the
     * whole answer {@code {"channels":[...]}}, byte for byte the shard path's.
     */
    public static final String LIST = ReadCacheKeys.LUA_KEYS + LUA_LIST + """
            local e = state()
            if not e then return {0} end
            local T, U = ARGV[2], ARGV[3]
            local th = redis.call('HMGET', kT(T), 'e', 'nm')
            local tm = kTM(T)
            if th[1] ~= e or redis.call('SCARD', tm) ~= tonumber(th[2]) then return {0} end
            if redis.call('SISMEMBER', tm, U) == 0 then return {1} end
            local l = redis.call('HMGET', kL(T), 'e', 'g', 'nc', 'u:' .. U)
            if l[1] ~= e then return {0} end
            local g = l[2]
            local ids = redis.call('ZRANGE', kLZ(T), 0, -1)
            if #ids ~= tonumber(l[3]) then return {0} end
            local flat = redis.call('HGETALL', kLU(T, g, U))
            if #flat ~= 2 * (tonumber(l[4]) or 0) then return {0} end
            local u = {}
            for i = 1, #flat, 2 do u[flat[i]] = flat[i + 1] end
            local lc = kLC(T)
            local out = {}
            for _, c in ipairs(ids) do
              local f = redis.call('HMGET', lc, 'j:' .. c, 'p:' .. c, 'as:' .. c, 'ao:' .. c, 'n:' .. c, 'f:' .. c, 'w:' .. c,
                  't:' .. c .. ':' .. U, 'x:' .. c .. ':' .. U)
              if not f[1] then return {0} end
              local member = u['m:' .. c] ~= nil
              if member or f[2] ~= '1' then
                local unread = 'null'
                if member then
                  local marker = tonumber(u['r:' .. c] or '-1')
                  local n = tonumber(f[5] or '0') - tonumber(f[8] or '0')
                  if marker >= 0 then
                    if marker < tonumber(f[6] or '-1') then return {3} end
                    local w, a = kLW(T, g, c), kLA(T, g, c, U)
                    local xn = tonumber(f[9] or '0')
                    if redis.call('ZCARD', w) ~= tonumber(f[7] or '0') or redis.call('ZCARD', a) ~= xn then return {0} end
                    local lo = '(' .. int(marker)
                    n = redis.call('ZCOUNT', w, lo, '+inf')
                    if xn > 0 then n = n - redis.call('ZCOUNT', a, lo, '+inf') end
                  end
                  unread = int(n)
                end
                out[#out + 1] = f[1] .. ',"member":' .. (member and 'true' or 'false') .. ',"lastActivityAt":' .. (f[3] or 'null')
                    .. ',"lastOffset":' .. (f[4] or 'null') .. ',"unread":' .. unread .. '}'
              end
            end
            return {4, '{"channels":[' .. table.concat(out, ',') .. ']}'}
            """;

    /**
     * A reader's fill of a team's list (and its team entry when stale) from a shard snapshot taken
     * at checkpoint C. ARGV: prefix, C, new epoch token (used when the partition has no state yet),
     * generation token, snapshot JSON (numbers as strings):
     * {@code {"t":team,"tm":[users],"ch":[[id,head,"0"|"1"]],"act":[[c,micros,jsonTime,lastOffset]],
     * "tot":[[c,author,count]],"w":[[c,floor,[[offset,author],...]]],"cm":[[c,user]],"rm":[[c,user,offset]]}}.
     * The previous generation's keys are deleted. Returns 1 installed (or already as new), 0 refused
     * (the cache already applied changes the snapshot lacks).
     */
    public static final String LIST_INSTALL = ReadCacheKeys.LUA_KEYS + LUA_LIST + """
            local C = tonumber(ARGV[2])
            local e, n = state()
            if not e then
              e = ARGV[3]
              newState(e, ARGV[2])
            elseif n > C then
              return 0
            end
            local snap = cjson.decode(ARGV[5])
            local T, g = snap.t, ARGV[4]
            local function addAll(key, list)
              for i = 1, #list, 500 do redis.call('SADD', key, unpack(list, i, math.min(i + 499, #list))) end
            end
            local tk = kT(T)
            local th = redis.call('HMGET', tk, 'e', 'v')
            if th[1] ~= e or (not th[2]) or tonumber(th[2]) < C then
              redis.call('DEL', tk, kTM(T))
              addAll(kTM(T), snap.tm)
              redis.call('HSET', tk, 'e', e, 'v', C, 'nm', #snap.tm)
            end
            local l = kL(T)
            local lh = redis.call('HMGET', l, 'e', 'v')
            if lh[1] == e and tonumber(lh[2]) >= C then return 1 end
            local lk = kLK(T)
            local old = redis.call('SMEMBERS', lk)
            for i = 1, #old, 500 do redis.call('DEL', unpack(old, i, math.min(i + 499, #old))) end
            redis.call('DEL', l, kLZ(T), kLC(T), lk)
            local lc = kLC(T)
            for _, ch in ipairs(snap.ch) do
              redis.call('ZADD', kLZ(T), 0, ch[1])
              redis.call('HSET', lc, 'j:' .. ch[1], ch[2], 'p:' .. ch[1], ch[3])
            end
            for _, a in ipairs(snap.act) do
              redis.call('HSET', lc, 'am:' .. a[1], a[2], 'as:' .. a[1], a[3], 'ao:' .. a[1], a[4])
            end
            for _, x in ipairs(snap.tot) do
              redis.call('HSET', lc, 't:' .. x[1] .. ':' .. x[2], x[3])
              redis.call('HINCRBY', lc, 'n:' .. x[1], tonumber(x[3]))
            end
            for _, win in ipairs(snap.w) do
              local c = win[1]
              local w = kLW(T, g, c)
              for _, m in ipairs(win[3]) do
                local a = kLA(T, g, c, m[2])
                redis.call('ZADD', w, m[1], m[1] .. ':' .. m[2])
                redis.call('ZADD', a, m[1], m[1])
                redis.call('SADD', lk, w, a)
                redis.call('HINCRBY', lc, 'x:' .. c .. ':' .. m[2], 1)
              end
              redis.call('HSET', lc, 'w:' .. c, #win[3], 'f:' .. c, win[2])
            end
            local users = {}
            local function uset(u, f, v)
              local uk = kLU(T, g, u)
              redis.call('HSET', uk, f, v)
              if not users[u] then
                users[u] = uk
                redis.call('SADD', lk, uk)
              end
            end
            for _, m in ipairs(snap.cm) do uset(m[2], 'm:' .. m[1], '1') end
            for _, r in ipairs(snap.rm) do uset(r[2], 'r:' .. r[1], r[3]) end
            for u, uk in pairs(users) do redis.call('HSET', l, 'u:' .. u, redis.call('HLEN', uk)) end
            redis.call('HSET', l, 'e', e, 'v', ARGV[2], 'g', g, 'nc', #snap.ch)
            return 1
            """;
}
