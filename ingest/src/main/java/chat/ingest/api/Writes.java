package chat.ingest.api;

import chat.common.ids.Ids;
import chat.ingest.append.AppendException;
import chat.ingest.append.Appended;
import chat.ingest.command.CommandService;
import chat.ingest.command.Outcome;
import chat.ingest.command.StateUnavailableException;
import chat.ingest.domain.Command;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every write route shares: checking the actor and ids, turning a command's outcome into
 * the HTTP answer, and mapping failures to stable codes. A request is either fully rejected before
 * anything is appended, or answered 2xx after the broker acknowledged every event.
 */
@Singleton
final class Writes {
    private static final Logger LOG = LoggerFactory.getLogger(Writes.class);

    private final CommandService commands;

    Writes(final CommandService commands) {
        this.commands = commands;
    }

    static String id(final String field, final String value) {
        if (!Ids.isValid(value)) {
            throw new ApiException(ApiError.INVALID_ID, field + " must match [A-Za-z0-9_-]{1,64}");
        }
        return value;
    }

    /** The verified caller ({@code chat.common.auth.Caller}); null only when the token's subject is not a valid id. */
    static String actor(final String caller) {
        if (caller == null) {
            throw new ApiException(ApiError.TOKEN_INVALID, "the token's subject must be a user id matching [A-Za-z0-9_-]{1,64}");
        }
        return caller;
    }

    static void requireJson(final String contentType, final boolean bodyPresent) {
        if (!bodyPresent) {
            return;
        }
        try {
            if (contentType != null && MediaType.of(contentType).matches(MediaType.APPLICATION_JSON_TYPE)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // malformed header: same answer as a wrong one
        }
        throw new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json, got "
                + (contentType == null ? "none" : "'" + contentType + "'"));
    }

    /** Validates the request (the supplier throws {@link ApiException}), runs the command and answers with its events. */
    CompletableFuture<HttpResponse<String>> run(final Supplier<Command> request, final HttpStatus created) {
        return run(request, outcome -> switch (outcome) {
            case Outcome.Done d -> json(created, JsonBodies.events(d.types(),
                    d.appended().stream().map(Appended::position).toList()));
            case Outcome.Unchanged u -> json(HttpStatus.OK, JsonBodies.events(java.util.List.of(), java.util.List.of()));
            case Outcome.Refused r -> Responses.refused(r.error(), r.message());
        });
    }

    /** Like {@link #run(Supplier, HttpStatus)} with a route-specific answer. */
    CompletableFuture<HttpResponse<String>> run(final Supplier<Command> request,
                                                final Function<Outcome, MutableHttpResponse<String>> answer) {
        final Command command;
        try {
            command = request.get();
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(Responses.error(e.error(), e.getMessage()));
        }
        final CompletableFuture<Outcome> outcome;
        try {
            outcome = commands.execute(command);
        } catch (StateUnavailableException e) {
            LOG.warn("{}; answering 503", e.getMessage());
            return CompletableFuture.completedFuture(Responses.error(
                    e.behind() ? ApiError.READ_MODEL_BEHIND : ApiError.SHARD_UNAVAILABLE, e.getMessage()));
        }
        return outcome.<HttpResponse<String>>thenApply(answer::apply).exceptionally(error -> {
            final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof AppendException append && append.tooLarge()) {
                return Responses.error(ApiError.PAYLOAD_TOO_LARGE, "the log refused the event for its size");
            }
            LOG.warn("append failed, answering 503: {}", cause.getMessage());
            return Responses.error(ApiError.LOG_UNAVAILABLE,
                    "the event log did not acknowledge the write; nothing is promised, retry later");
        });
    }

    static MutableHttpResponse<String> json(final HttpStatus status, final String body) {
        return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(body);
    }
}
