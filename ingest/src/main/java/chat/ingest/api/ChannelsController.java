package chat.ingest.api;

import chat.common.auth.Caller;
import chat.ingest.domain.Command;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.concurrent.CompletableFuture;

/**
 * Channel writes: create (public or private; the creator joins), change the topic, archive,
 * join (public), invite (private or public), leave.
 *
 * <pre>{@code
 * curl -XPOST localhost:8080/api/v1/teams/acme/channels -H "Authorization: Bearer $TOKEN" \
 *      -H 'Content-Type: application/json' -d '{"channelId":"general","name":"General","private":false}'
 * }</pre>
 */
@Secured(SecurityRule.IS_AUTHENTICATED)
@Controller("/api/v1/teams/{teamId}/channels")
@ExecuteOn(TaskExecutors.BLOCKING)
class ChannelsController {
    /** Longest channel topic, in code points. */
    static final int MAX_TOPIC = 250;
    private final Writes writes;

    ChannelsController(final Writes writes) {
        this.writes = writes;
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> create(@PathVariable final String teamId,
                                                   @Nullable @Caller final String user,
                                                   @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                   @Nullable @Body final byte[] body) {
        return writes.run(() -> {
            Writes.id("teamId", teamId);
            final String actor = Writes.actor(user);
            Writes.requireJson(contentType, true);
            final JsonBody json = JsonBody.parse(body, false);
            final String channelId = Writes.id("channelId", json.string("channelId"));
            return new Command.CreateChannel(actor, teamId, channelId, TeamsController.name(json.string("name"), channelId),
                    json.bool("private", false), topic(json.string("topic")));
        }, HttpStatus.CREATED);
    }

    @Patch(uri = "/{channelId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> changeTopic(@PathVariable final String teamId, @PathVariable final String channelId,
                                                        @Nullable @Caller final String user,
                                                        @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                        @Nullable @Body final byte[] body) {
        return writes.run(() -> {
            ids(teamId, channelId);
            final String actor = Writes.actor(user);
            Writes.requireJson(contentType, true);
            final JsonBody json = JsonBody.parse(body, false);
            if (!json.has("topic")) {
                throw new ApiException(ApiError.INVALID_FIELD, "\"topic\" is required (null clears it)");
            }
            return new Command.ChangeChannelTopic(actor, teamId, channelId, topic(json.string("topic")));
        }, HttpStatus.OK);
    }

    @Post(uri = "/{channelId}/archive", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> archive(@PathVariable final String teamId, @PathVariable final String channelId,
                                                    @Nullable @Caller final String user) {
        return writes.run(() -> {
            ids(teamId, channelId);
            return new Command.ArchiveChannel(Writes.actor(user), teamId, channelId);
        }, HttpStatus.OK);
    }

    /** Join yourself ({@code userId} = you) or invite a team member. */
    @Put(uri = "/{channelId}/members/{userId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> join(@PathVariable final String teamId, @PathVariable final String channelId,
                                                 @PathVariable final String userId,
                                                 @Nullable @Caller final String user) {
        return writes.run(() -> {
            ids(teamId, channelId);
            Writes.id("userId", userId);
            final String actor = Writes.actor(user);
            return actor.equals(userId) ? new Command.JoinChannel(actor, teamId, channelId)
                    : new Command.InviteToChannel(actor, teamId, channelId, userId);
        }, HttpStatus.OK);
    }

    /** Leave (only yourself). */
    @Delete(uri = "/{channelId}/members/{userId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> leave(@PathVariable final String teamId, @PathVariable final String channelId,
                                                  @PathVariable final String userId,
                                                  @Nullable @Caller final String user) {
        return writes.run(() -> {
            ids(teamId, channelId);
            Writes.id("userId", userId);
            final String actor = Writes.actor(user);
            if (!actor.equals(userId)) {
                throw new ApiException(ApiError.INVALID_FIELD, "a user can only remove themselves from a channel");
            }
            return new Command.LeaveChannel(actor, teamId, channelId);
        }, HttpStatus.OK);
    }

    private static String topic(final String raw) {
        if (raw == null) {
            return null;
        }
        final String topic = raw.strip();
        if (topic.codePointCount(0, topic.length()) > MAX_TOPIC || topic.chars().anyMatch(c -> c == 0)) {
            throw new ApiException(ApiError.INVALID_FIELD, "\"topic\" must be at most " + MAX_TOPIC + " characters");
        }
        return topic.isEmpty() ? null : topic;
    }

    private static void ids(final String teamId, final String channelId) {
        Writes.id("teamId", teamId);
        Writes.id("channelId", channelId);
    }
}
