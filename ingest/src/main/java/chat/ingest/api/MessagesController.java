package chat.ingest.api;

import chat.common.auth.Caller;
import chat.common.position.Position;
import chat.ingest.append.EpochSource;
import chat.ingest.command.Outcome;
import chat.ingest.domain.Command;
import chat.ingest.domain.TeamView;
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

import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * Message writes: post (optionally as a thread reply), edit, delete, react, mark read.
 *
 * <pre>{@code
 * curl -XPOST localhost:8080/api/v1/teams/acme/channels/general/messages -H "Authorization: Bearer $TOKEN" \
 *      -H 'Content-Type: application/json' -d '{"text":"hello"}'
 * }</pre>
 */
@Secured(SecurityRule.IS_AUTHENTICATED)
@Controller("/api/v1/teams/{teamId}/channels/{channelId}/messages")
@ExecuteOn(TaskExecutors.BLOCKING) // reads the shard and may wait for KafkaProducer.send: off the event loop
class MessagesController {
    private final Writes writes;
    private final EpochSource epochs;
    private final Clock clock;

    MessagesController(final Writes writes, final EpochSource epochs, final Clock clock) {
        this.writes = writes;
        this.epochs = epochs;
        this.clock = clock;
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> post(@PathVariable final String teamId, @PathVariable final String channelId,
                                                 @Nullable @Caller final String user,
                                                 @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                 @Nullable @Body final byte[] body) {
        final String[] messageId = new String[1];
        return writes.run(() -> {
            Writes.id("teamId", teamId);
            Writes.id("channelId", channelId);
            final String author = Writes.actor(user);
            Writes.requireJson(contentType, true);
            final JsonBody json = JsonBody.parse(body, false);
            final PostMessageRequest request = PostMessageRequest.validated(json.string("text"), json.string("clientMessageId"));
            final String threadRootId = json.string("threadRootId");
            if (threadRootId != null) {
                Writes.id("threadRootId", threadRootId);
            }
            messageId[0] = request.clientMessageId() == null ? MessageIds.newId(clock.millis())
                    : MessageIds.forClientMessage(teamId, author, request.clientMessageId());
            return new Command.PostMessage(author, teamId, channelId, messageId[0], request.text(), threadRootId,
                    request.clientMessageId());
        }, outcome -> switch (outcome) {
            case Outcome.Done d -> Writes.json(HttpStatus.CREATED,
                    JsonBodies.posted(messageId[0], d.appended().get(0).position(), false));
            case Outcome.Unchanged u -> {
                final TeamView.Message m = u.view().message();
                yield Writes.json(HttpStatus.OK, JsonBodies.posted(m.messageId(),
                        new Position(epochs.epoch(), m.partition(), m.offset()), true));
            }
            case Outcome.Refused r -> Responses.refused(r.error(), r.message());
        });
    }

    @Patch(uri = "/{messageId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> edit(@PathVariable final String teamId, @PathVariable final String channelId,
                                                 @PathVariable final String messageId,
                                                 @Nullable @Caller final String user,
                                                 @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                 @Nullable @Body final byte[] body) {
        return writes.run(() -> {
            ids(teamId, channelId, messageId);
            final String actor = Writes.actor(user);
            Writes.requireJson(contentType, true);
            final PostMessageRequest request = PostMessageRequest.validated(JsonBody.parse(body, false).string("text"), null);
            return new Command.EditMessage(actor, teamId, channelId, messageId, request.text());
        }, HttpStatus.OK);
    }

    @Delete(uri = "/{messageId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> delete(@PathVariable final String teamId, @PathVariable final String channelId,
                                                   @PathVariable final String messageId,
                                                   @Nullable @Caller final String user) {
        return onMessage(teamId, channelId, messageId, user,
                actor -> new Command.DeleteMessage(actor, teamId, channelId, messageId));
    }

    @Put(uri = "/{messageId}/reactions/{emoji}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> react(@PathVariable final String teamId, @PathVariable final String channelId,
                                                  @PathVariable final String messageId, @PathVariable final String emoji,
                                                  @Nullable @Caller final String user) {
        return onMessage(teamId, channelId, messageId, user,
                actor -> new Command.AddReaction(actor, teamId, channelId, messageId, emoji));
    }

    @Delete(uri = "/{messageId}/reactions/{emoji}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> unreact(@PathVariable final String teamId, @PathVariable final String channelId,
                                                    @PathVariable final String messageId, @PathVariable final String emoji,
                                                    @Nullable @Caller final String user) {
        return onMessage(teamId, channelId, messageId, user,
                actor -> new Command.RemoveReaction(actor, teamId, channelId, messageId, emoji));
    }

    @Post(uri = "/{messageId}/read", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> read(@PathVariable final String teamId, @PathVariable final String channelId,
                                                 @PathVariable final String messageId,
                                                 @Nullable @Caller final String user) {
        return onMessage(teamId, channelId, messageId, user,
                actor -> new Command.MarkRead(actor, teamId, channelId, messageId));
    }

    /** A body-less command on one message: validate the ids and the actor, then run it. */
    private CompletableFuture<HttpResponse<String>> onMessage(final String teamId, final String channelId,
                                                             final String messageId, final String user,
                                                             final java.util.function.Function<String, Command> command) {
        return writes.run(() -> {
            ids(teamId, channelId, messageId);
            return command.apply(Writes.actor(user));
        }, HttpStatus.OK);
    }

    private static void ids(final String teamId, final String channelId, final String messageId) {
        Writes.id("teamId", teamId);
        Writes.id("channelId", channelId);
        Writes.id("messageId", messageId);
    }
}
