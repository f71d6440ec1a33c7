package chat.common.auth;

import chat.common.api.ErrorResponses;
import chat.common.ids.Ids;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/dev/tokens?user=alice&user=bob&ttlSeconds=3600}: tokens for any user, signed
 * with the HS256 secret this process accepts. Exists only where
 * {@code chat.auth.dev-tokens.enabled=true}, which only the dev stack sets: anyone who can reach it
 * can act as anyone.
 */
@Controller("/api/v1/dev/tokens")
@Requires(property = "chat.auth.dev-tokens.enabled", value = "true")
@Requires(property = DevTokens.SECRET_PROPERTY)
@Secured(SecurityRule.IS_ANONYMOUS)
final class DevTokenController {
    private static final int MAX_USERS = 10_000;
    private static final long MAX_TTL_SECONDS = 30L * 24 * 3600;

    private final DevTokens tokens;

    DevTokenController(@Value("${" + DevTokens.SECRET_PROPERTY + "}") final String secret) {
        this.tokens = new DevTokens(secret);
    }

    @Post(produces = MediaType.APPLICATION_JSON, consumes = MediaType.ALL)
    HttpResponse<String> mint(@Nullable @io.micronaut.http.annotation.QueryValue("user") final List<String> users,
                              @Nullable @io.micronaut.http.annotation.QueryValue("ttlSeconds") final String ttlSeconds,
                              @Nullable @Body final String ignored) {
        if (users == null || users.isEmpty()) {
            return ErrorResponses.of(HttpStatus.BAD_REQUEST, "INVALID_REQUEST", "name at least one ?user=");
        }
        if (users.size() > MAX_USERS) {
            return ErrorResponses.of(HttpStatus.BAD_REQUEST, "INVALID_REQUEST", "at most " + MAX_USERS + " users per call");
        }
        long ttl = 12 * 3600;
        if (ttlSeconds != null) {
            try {
                ttl = Long.parseLong(ttlSeconds);
            } catch (NumberFormatException e) {
                ttl = -1;
            }
            if (ttl < 1 || ttl > MAX_TTL_SECONDS) {
                return ErrorResponses.of(HttpStatus.BAD_REQUEST, "INVALID_REQUEST",
                        "ttlSeconds must be 1.." + MAX_TTL_SECONDS);
            }
        }
        final List<String> out = new ArrayList<>(users.size());
        for (String user : users) {
            if (!Ids.isValid(user)) {
                return ErrorResponses.of(HttpStatus.BAD_REQUEST, "INVALID_ID", "user must match [A-Za-z0-9_-]{1,64}");
            }
            out.add(tokens.mint(user, Duration.ofSeconds(ttl)));
        }
        final StringBuilder json = new StringBuilder(out.size() * 200).append("{\"ttlSeconds\":").append(ttl).append(",\"tokens\":{");
        for (int i = 0; i < out.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            // ids are [A-Za-z0-9_-] and JWTs base64url with dots: nothing to escape
            json.append('"').append(users.get(i)).append("\":\"").append(out.get(i)).append('"');
        }
        return HttpResponse.ok(json.append("}}").toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
