package chat.ingest.api;

import chat.common.auth.Caller;
import chat.ingest.domain.Command;
import chat.ingest.domain.Role;
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
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.concurrent.CompletableFuture;

/**
 * Team writes: create a team (the creator becomes its admin), add or change a member, remove a
 * member (or leave).
 *
 * <pre>{@code
 * curl -XPOST localhost:8080/api/v1/teams -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
 *      -d '{"teamId":"acme","name":"Acme"}'
 * }</pre>
 */
@Secured(SecurityRule.IS_AUTHENTICATED)
@Controller("/api/v1/teams")
@ExecuteOn(TaskExecutors.BLOCKING)
class TeamsController {
    /** Longest team or channel display name, in code points. */
    static final int MAX_NAME = 80;
    private final Writes writes;

    TeamsController(final Writes writes) {
        this.writes = writes;
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> create(@Nullable @Caller final String user,
                                                   @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                   @Nullable @Body final byte[] body) {
        return writes.run(() -> {
            final String actor = Writes.actor(user);
            Writes.requireJson(contentType, true);
            final JsonBody json = JsonBody.parse(body, false);
            final String teamId = Writes.id("teamId", json.string("teamId"));
            return new Command.CreateTeam(actor, teamId, name(json.string("name"), teamId));
        }, HttpStatus.CREATED);
    }

    @Put(uri = "/{teamId}/members/{userId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> addMember(@PathVariable final String teamId, @PathVariable final String userId,
                                                      @Nullable @Caller final String user,
                                                      @Nullable @Header(HttpHeaders.CONTENT_TYPE) final String contentType,
                                                      @Nullable @Body final byte[] body) {
        return writes.run(() -> {
            Writes.id("teamId", teamId);
            Writes.id("userId", userId);
            final String actor = Writes.actor(user);
            Writes.requireJson(contentType, body != null && body.length > 0);
            final String role = JsonBody.parse(body, true).string("role");
            if (role != null && !role.equals("member") && !role.equals("admin")) {
                throw new ApiException(ApiError.INVALID_FIELD, "\"role\" must be \"member\" or \"admin\"");
            }
            return new Command.AddTeamMember(actor, teamId, userId, Role.fromWire(role));
        }, HttpStatus.OK);
    }

    @Delete(uri = "/{teamId}/members/{userId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<String>> removeMember(@PathVariable final String teamId, @PathVariable final String userId,
                                                         @Nullable @Caller final String user) {
        return writes.run(() -> {
            Writes.id("teamId", teamId);
            Writes.id("userId", userId);
            return new Command.RemoveTeamMember(Writes.actor(user), teamId, userId);
        }, HttpStatus.OK);
    }

    /** A display name: defaults to the id, trimmed, 1..80 code points, no control characters. */
    static String name(final String raw, final String fallback) {
        final String name = raw == null ? fallback : raw.strip();
        if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw new ApiException(ApiError.INVALID_FIELD, "\"name\" must be 1.." + MAX_NAME
                    + " characters without control characters");
        }
        return name;
    }
}
