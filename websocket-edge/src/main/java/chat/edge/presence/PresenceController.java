package chat.edge.presence;

import chat.common.api.ErrorResponses;
import chat.common.auth.Identity;
import chat.common.ids.Ids;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/teams/{teamId}/channels/{channelId}/presence}: the presence of the channel's
 * members (every team member for a public channel, the members for a private one), for a caller
 * who may see the channel (404 {@code TEAM_NOT_FOUND} / {@code CHANNEL_NOT_FOUND} otherwise, as
 * the read API). 503 {@code PRESENCE_UNAVAILABLE} without Redis, {@code SHARD_UNAVAILABLE} when the
 * shard cannot be read.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" localhost:8080/api/v1/teams/acme/channels/general/presence
 * {"teamId":"acme","channelId":"general","members":[{"userId":"alice","state":"online"},{"userId":"bob","state":"away"}]}
 * }</pre>
 */
@Secured(SecurityRule.IS_AUTHENTICATED)
@Controller("/api/v1/teams/{teamId}/channels/{channelId}/presence")
@ExecuteOn(TaskExecutors.BLOCKING)
@Requires(beans = {ShardDataSources.class, PresenceService.class})
final class PresenceController {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceController.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final ChannelAccess access;
    private final PresenceService presence;

    PresenceController(final ShardDataSources shards, final ShardMap shardMap, final PresenceService presence) {
        this.access = new ChannelAccess(shards, shardMap);
        this.presence = presence;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> presence(@PathVariable final String teamId, @PathVariable final String channelId,
                                  final HttpRequest<?> request) {
        if (!Ids.isValid(teamId) || !Ids.isValid(channelId)) {
            return error(HttpStatus.BAD_REQUEST, "INVALID_ID", "teamId and channelId must match [A-Za-z0-9_-]{1,64}");
        }
        final Optional<String> user = Identity.userOf(request);
        if (user.isEmpty()) {
            return error(HttpStatus.UNAUTHORIZED, "TOKEN_INVALID",
                    "the token's subject must be a user id matching [A-Za-z0-9_-]{1,64}");
        }
        final ChannelAccess.Members members;
        try {
            members = access.members(teamId, channelId, user.get());
        } catch (SQLException e) {
            LOG.warn("presence read of team {} failed: {}", teamId, e.getMessage());
            return error(HttpStatus.SERVICE_UNAVAILABLE, "SHARD_UNAVAILABLE", "the team's shard cannot be read now; retry later");
        }
        switch (members.verdict()) {
            case NO_TEAM -> {
                return error(HttpStatus.NOT_FOUND, "TEAM_NOT_FOUND", "no team " + teamId);
            }
            case NO_CHANNEL -> {
                return error(HttpStatus.NOT_FOUND, "CHANNEL_NOT_FOUND", "no channel " + channelId + " in team " + teamId);
            }
            default -> {
            }
        }
        final List<String> states;
        try {
            states = members.users().isEmpty() ? List.of() : presence.query(teamId, members.users());
        } catch (PresenceStore.Unavailable e) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "PRESENCE_UNAVAILABLE", "presence needs Redis, which is not"
                    + " available now: " + e.getMessage());
        }
        final StringWriter out = new StringWriter(64 + 48 * states.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("teamId", teamId);
            g.writeStringField("channelId", channelId);
            g.writeArrayFieldStart("members");
            for (int i = 0; i < states.size(); i++) {
                g.writeStartObject();
                g.writeStringField("userId", members.users().get(i));
                g.writeStringField("state", states.get(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HttpResponse.ok(out.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private static MutableHttpResponse<String> error(final HttpStatus status, final String code, final String message) {
        return ErrorResponses.of(status, code, message);
    }
}
