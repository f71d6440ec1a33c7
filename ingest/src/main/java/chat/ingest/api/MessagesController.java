package chat.ingest.api;

import chat.common.ids.Ids;
import chat.events.EventEnvelope;
import chat.events.MessagePosted;
import chat.ingest.append.AppendException;
import chat.ingest.append.EventAppender;
import chat.schemas.EventCodec;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /api/v1/teams/{teamId}/channels/{channelId}/messages}: validates, appends a
 * MessagePosted event to {@code chat.events} and answers 201 with the message id and its
 * position only after the broker acknowledged it. Every rejection happens before the append.
 *
 * <pre>{@code
 * curl -XPOST localhost:8080/api/v1/teams/acme/channels/general/messages \
 *      -H 'Content-Type: application/json' -d '{"text":"hello"}'
 * }</pre>
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING) // KafkaProducer.send may block (metadata, full buffer): keep it off the event loop
class MessagesController {
    /** Until JWT auth lands, the author comes from this header; absent means "anonymous". */
    static final String USER_HEADER = "X-Chat-User";
    private static final Logger LOG = LoggerFactory.getLogger(MessagesController.class);

    private final EventAppender appender;
    private final Clock clock;

    MessagesController(final EventAppender appender, final Clock clock) {
        this.appender = appender;
        this.clock = clock;
    }

    @Post(uri = "/teams/{teamId}/channels/{channelId}/messages", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> post(@PathVariable final String teamId,
                                                 @PathVariable final String channelId,
                                                 @Nullable @Header(USER_HEADER) final String user,
                                                 @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                 @Nullable @Body final byte[] body) {
        final EventEnvelope envelope;
        final String messageId;
        try {
            requireId("teamId", teamId);
            requireId("channelId", channelId);
            final String author = user == null ? "anonymous" : requireId(USER_HEADER, user);
            if (contentType == null || !MediaType.of(contentType).matches(MediaType.APPLICATION_JSON_TYPE)) {
                throw new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json, got "
                        + (contentType == null ? "none" : "'" + contentType + "'"));
            }
            final PostMessageRequest request = PostMessageRequest.parse(body);
            final Instant now = clock.instant();
            messageId = request.clientMessageId() == null ? MessageIds.newId(now.toEpochMilli())
                    : MessageIds.forClientMessage(teamId, author, request.clientMessageId());
            envelope = EventEnvelope.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setTeamId(teamId)
                    .setActorId(author)
                    .setOccurredAt(now)
                    .setSchemaVersion(EventCodec.CURRENT_VERSION)
                    .setPayload(new MessagePosted(channelId, messageId, request.text(), null, request.clientMessageId()))
                    .build();
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(Responses.error(e.error(), e.getMessage()));
        } catch (IllegalArgumentException e) {
            // MediaType.of on a malformed header
            return CompletableFuture.completedFuture(Responses.error(ApiError.UNSUPPORTED_MEDIA_TYPE, e.getMessage()));
        }
        return appender.append(envelope)
                .<HttpResponse<String>>thenApply(appended -> HttpResponse.<String>status(HttpStatus.CREATED)
                        .contentType(MediaType.APPLICATION_JSON_TYPE)
                        .body(JsonBodies.posted(messageId, appended.position())))
                .exceptionally(error -> {
                    final Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof AppendException append && append.tooLarge()) {
                        return Responses.error(ApiError.PAYLOAD_TOO_LARGE, "the log refused the event for its size");
                    }
                    LOG.warn("append failed, answering 503: {}", cause.getMessage());
                    return Responses.error(ApiError.LOG_UNAVAILABLE,
                            "the event log did not acknowledge the write; nothing was stored, retry later");
                });
    }

    private static String requireId(final String field, final String value) {
        if (!Ids.isValid(value)) {
            throw new ApiException(ApiError.INVALID_ID, field + " must match [A-Za-z0-9_-]{1,64}");
        }
        return value;
    }
}
