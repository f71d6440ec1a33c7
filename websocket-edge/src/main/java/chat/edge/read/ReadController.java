package chat.edge.read;

import chat.common.auth.Caller;
import chat.common.api.ErrorResponses;
import chat.common.ids.Ids;
import chat.common.redis.ReadCacheSettings;
import chat.common.redis.RedisGate;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The read API, served from the read model of the team's shard: the caller's channel list with
 * unread counts, channel history (newest first, cursor by position), thread replies, reactions
 * and read receipts of a message. Every read is authorized in SQL: users outside the team see no
 * team, outsiders of a private channel see no channel (404, never 403, so existence is not leaked).
 *
 * <p>With Redis ({@code redis.uri}) and {@code chat.read-cache.enabled}, history pages are served
 * from the read cache when the team's and channel's entries are valid (membership checked from
 * the cache, as strictly as in SQL), else from the shard; a cold entry is then filled from a
 * shard snapshot. The channel list is served the same way from the team's cached list (unread
 * counts computed in Redis, see {@code ChannelListKeys}). Hit rate: {@code GET /api/v1/read-cache/stats}.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" 'localhost:8080/api/v1/teams/acme/channels/general/messages?limit=50'
 * }</pre>
 */
@Secured(SecurityRule.IS_AUTHENTICATED)
@Controller("/api/v1/teams/{teamId}")
@ExecuteOn(TaskExecutors.BLOCKING)
@Requires(beans = ShardDataSources.class)
class ReadController {
    static final int MAX_LIMIT = 200;
    private static final Logger LOG = LoggerFactory.getLogger(ReadController.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final ReadModelQueries queries;
    private final ReadCache cache;
    private final int window;

    ReadController(final ShardDataSources shards, final ShardMap shardMap, @Nullable final RedisGate redis,
                   final ReadCacheSettings cacheSettings, final ReadCacheStats stats) {
        this.queries = new ReadModelQueries(shards, shardMap);
        this.cache = redis != null && cacheSettings.enabled() ? new ReadCache(redis, stats) : null;
        this.window = cacheSettings.window();
    }

    boolean cacheEnabled() {
        return cache != null;
    }

    @FunctionalInterface
    private interface Body {
        void write(Connection c, JsonGenerator g) throws SQLException, IOException, Refused;
    }

    /** A request refused with a stable code. */
    static final class Refused extends Exception {
        final HttpStatus status;
        final String code;

        Refused(final HttpStatus status, final String code, final String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * The caller's channel list: from the read cache when the team's list entry is valid (one
     * script returns the rendered answer), else from the shard; after a cold miss the team's list
     * is filled from a shard snapshot.
     */
    @Get(uri = "/channels", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> channels(@PathVariable final String teamId, @Nullable @Caller final String user) {
        ReadCache.Outcome miss = null;
        if (cache != null && user != null && Ids.isValid(teamId)) {
            final ReadCache.Answer a = cache.channels(queries.partitionOf(teamId), teamId, user);
            switch (a.outcome()) {
                case HIT -> {
                    return HttpResponse.ok(a.body()).contentType(MediaType.APPLICATION_JSON_TYPE);
                }
                case NOT_TEAM -> {
                    return error(HttpStatus.NOT_FOUND, "TEAM_NOT_FOUND", "no team " + teamId);
                }
                default -> miss = a.outcome();
            }
        }
        final HttpResponse<String> fromShard = answer(teamId, user, (c, g) -> ReadModelQueries.channels(c, teamId, user, g));
        if (miss == ReadCache.Outcome.COLD && fromShard.getStatus() == HttpStatus.OK) {
            fillList(teamId);
        }
        return fromShard;
    }

    /** After a cold miss: installs a shard snapshot of the team's channel list (best effort). */
    private void fillList(final String teamId) {
        if (!cache.reachable()) {
            return;
        }
        final int partition = queries.partitionOf(teamId);
        try (Connection c = queries.connect(teamId)) {
            final ReadModelQueries.ListSnapshot s = ReadModelQueries.listSnapshot(c, partition, teamId, window);
            if (s != null) {
                cache.fillList(partition, s);
            }
        } catch (SQLException e) {
            LOG.debug("read cache fill of the channel list of {} skipped: {}", teamId, e.getMessage());
        }
    }

    /**
     * History: from the read cache when its entries are valid (a hit is the answer Redis joined
     * from the stored message objects, passed on as bytes), else from the shard.
     */
    @Get(uri = "/channels/{channelId}/messages", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> history(@PathVariable final String teamId, @PathVariable final String channelId,
                            @Nullable @Caller final String user,
                            @Nullable @QueryValue("limit") final String limit,
                            @Nullable @QueryValue("before") final String before) {
        return readHistory(teamId, channelId, user, limit, before, cache == null ? null : page(teamId, channelId, user, limit, before));
    }

    private HttpResponse<?> readHistory(final String teamId, final String channelId, final String user, final String limit,
                                           final String before, final Page page) {
        final Cached cached = page == null ? null
                : cached(cache.history(queries.partitionOf(teamId), teamId, channelId, user, page.before(), page.limit()), teamId, channelId);
        if (cached != null && cached.response() != null) {
            return cached.response();
        }
        return fromShard(teamId, channelId, user, limit, before, cached == null ? null : cached.outcome());
    }

    /** The shard's answer; after a cold miss, a snapshot of the channel is installed in the cache. */
    private HttpResponse<?> fromShard(final String teamId, final String channelId, final String user, final String limit,
                                      final String before, final ReadCache.Outcome miss) {
        final HttpResponse<String> fromShard = answer(teamId, user, (c, g) -> {
            requireChannel(c, teamId, channelId, user);
            ReadModelQueries.history(c, teamId, channelId, cursor(before, Long.MAX_VALUE), limit(limit), g);
        });
        if (miss == ReadCache.Outcome.COLD && fromShard.getStatus() == HttpStatus.OK) {
            fill(teamId, channelId);
        }
        return fromShard;
    }

    /** A history page the cache may answer. */
    private record Page(int limit, long before) {
    }

    /** What the cache made of a history read: a response to send, or why the shard must answer. */
    private record Cached(ReadCache.Outcome outcome, HttpResponse<?> response) {
    }

    /** The page asked for, or null when the input is for the shard path to refuse (so the answers stay exactly the same). */
    private static Page page(final String teamId, final String channelId, final String user, final String rawLimit,
                             final String rawBefore) {
        try {
            id("teamId", teamId);
            id("channelId", channelId);
            if (user == null) {
                return null;
            }
            return new Page(limit(rawLimit), cursor(rawBefore, Long.MAX_VALUE));
        } catch (Refused r) {
            return null;
        }
    }

    private static Cached cached(final ReadCache.Answer a, final String teamId, final String channelId) {
        return switch (a.outcome()) {
            case HIT -> new Cached(a.outcome(), HttpResponse.ok(a.body()).contentType(MediaType.APPLICATION_JSON_TYPE));
            case NOT_TEAM -> new Cached(a.outcome(), error(HttpStatus.NOT_FOUND, "TEAM_NOT_FOUND", "no team " + teamId));
            case NOT_CHANNEL -> new Cached(a.outcome(), error(HttpStatus.NOT_FOUND, "CHANNEL_NOT_FOUND",
                    "no channel " + channelId + " in team " + teamId));
            default -> new Cached(a.outcome(), null);
        };
    }

    /** After a cold miss: installs a shard snapshot of the team and channel (best effort). */
    private void fill(final String teamId, final String channelId) {
        if (!cache.reachable()) {
            return;
        }
        final int partition = queries.partitionOf(teamId);
        try (Connection c = queries.connect(teamId)) {
            final ReadModelQueries.Snapshot s = ReadModelQueries.snapshot(c, partition, teamId, channelId, window);
            if (s != null) {
                cache.fill(partition, s);
            }
        } catch (SQLException e) {
            LOG.debug("read cache fill of {}/{} skipped: {}", teamId, channelId, e.getMessage());
        }
    }

    @Get(uri = "/channels/{channelId}/messages/{messageId}/replies", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> replies(@PathVariable final String teamId, @PathVariable final String channelId,
                                 @PathVariable final String messageId, @Nullable @Caller final String user,
                                 @Nullable @QueryValue("limit") final String limit,
                                 @Nullable @QueryValue("after") final String after) {
        return answer(teamId, user, (c, g) -> {
            requireChannel(c, teamId, channelId, user);
            requireMessage(c, teamId, channelId, messageId);
            ReadModelQueries.replies(c, teamId, channelId, messageId, cursor(after, -1), limit(limit), g);
        });
    }

    @Get(uri = "/channels/{channelId}/messages/{messageId}/reactions", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> reactions(@PathVariable final String teamId, @PathVariable final String channelId,
                                   @PathVariable final String messageId, @Nullable @Caller final String user) {
        return answer(teamId, user, (c, g) -> {
            requireChannel(c, teamId, channelId, user);
            requireMessage(c, teamId, channelId, messageId);
            ReadModelQueries.reactions(c, teamId, messageId, g);
        });
    }

    @Get(uri = "/channels/{channelId}/messages/{messageId}/receipts", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> receipts(@PathVariable final String teamId, @PathVariable final String channelId,
                                  @PathVariable final String messageId, @Nullable @Caller final String user) {
        return answer(teamId, user, (c, g) -> {
            requireChannel(c, teamId, channelId, user);
            final long offset = requireMessage(c, teamId, channelId, messageId);
            ReadModelQueries.receipts(c, teamId, channelId, offset, g);
        });
    }

    private HttpResponse<String> answer(final String teamId, final String user, final Body body) {
        try {
            id("teamId", teamId);
            if (user == null) {
                throw new Refused(HttpStatus.UNAUTHORIZED, "TOKEN_INVALID",
                        "the token's subject must be a user id matching [A-Za-z0-9_-]{1,64}");
            }
            final StringWriter out = new StringWriter(1024);
            try (Connection c = queries.connect(teamId); JsonGenerator g = JSON.createGenerator(out)) {
                if (!ReadModelQueries.isTeamMember(c, teamId, user)) {
                    throw new Refused(HttpStatus.NOT_FOUND, "TEAM_NOT_FOUND", "no team " + teamId);
                }
                g.writeStartObject();
                body.write(c, g);
                g.writeEndObject();
            }
            return HttpResponse.ok(out.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (Refused r) {
            return error(r.status, r.code, r.getMessage());
        } catch (SQLException e) {
            LOG.warn("read of team {} failed: {}", teamId, e.getMessage());
            return error(HttpStatus.SERVICE_UNAVAILABLE, "SHARD_UNAVAILABLE", "the team's shard cannot be read now; retry later")
                    .header("Retry-After", "2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireChannel(final Connection c, final String team, final String channel, final String user)
            throws SQLException, Refused {
        id("channelId", channel);
        if (!ReadModelQueries.canSeeChannel(c, team, channel, user)) {
            throw new Refused(HttpStatus.NOT_FOUND, "CHANNEL_NOT_FOUND", "no channel " + channel + " in team " + team);
        }
    }

    private static long requireMessage(final Connection c, final String team, final String channel, final String message)
            throws SQLException, Refused {
        id("messageId", message);
        final long offset = ReadModelQueries.messageOffset(c, team, channel, message);
        if (offset < 0) {
            throw new Refused(HttpStatus.NOT_FOUND, "MESSAGE_NOT_FOUND", "no message " + message + " in channel " + channel);
        }
        return offset;
    }

    private static void id(final String field, final String value) throws Refused {
        if (!Ids.isValid(value)) {
            throw new Refused(HttpStatus.BAD_REQUEST, "INVALID_ID", field + " must match [A-Za-z0-9_-]{1,64}");
        }
    }

    private static int limit(final String raw) throws Refused {
        if (raw == null) {
            return 50;
        }
        try {
            final int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new Refused(HttpStatus.BAD_REQUEST, "INVALID_LIMIT", "limit must be 1.." + MAX_LIMIT);
    }

    private static long cursor(final String raw, final long fallback) throws Refused {
        if (raw == null) {
            return fallback;
        }
        try {
            final long v = Long.parseLong(raw);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new Refused(HttpStatus.BAD_REQUEST, "INVALID_CURSOR", "cursor must be a position offset from a previous page");
    }

    private static MutableHttpResponse<String> error(final HttpStatus status, final String code, final String message) {
        return ErrorResponses.of(status, code, message);
    }
}
