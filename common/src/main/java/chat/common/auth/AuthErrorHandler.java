package chat.common.auth;

import chat.common.api.ErrorResponses;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import io.micronaut.security.token.reader.TokenResolver;
import jakarta.inject.Singleton;

import java.text.ParseException;
import java.util.Date;
import java.util.Optional;

/**
 * Answers a request the security rules refused in the API's error format, with a code that tells
 * the client what to do: {@code UNAUTHENTICATED} (no token: log in), {@code TOKEN_EXPIRED} (get a
 * fresh one), {@code TOKEN_INVALID} (malformed, forged, wrong key or algorithm, no {@code exp},
 * not yet valid: do not retry with it); {@code FORBIDDEN} when a valid caller is not allowed.
 */
@Singleton
@Produces
@Replaces(DefaultAuthorizationExceptionHandler.class)
final class AuthErrorHandler implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {
    private final TokenResolver<HttpRequest<?>> tokens;

    AuthErrorHandler(final TokenResolver<HttpRequest<?>> tokens) {
        this.tokens = tokens;
    }

    @Override
    public MutableHttpResponse<?> handle(final HttpRequest request, final AuthorizationException exception) {
        if (exception.isForbidden()) {
            return ErrorResponses.of(HttpStatus.FORBIDDEN, "FORBIDDEN", "the caller may not use this route");
        }
        @SuppressWarnings("unchecked")
        final Optional<String> token = tokens.resolveToken((HttpRequest<?>) request);
        final MutableHttpResponse<String> response = token.isEmpty()
                ? ErrorResponses.of(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED",
                        "send a JWT in the Authorization header: 'Authorization: Bearer <token>'")
                : rejected(token.get());
        return response.header("WWW-Authenticate", "Bearer");
    }

    /** Why a presented token was refused; parsed without trusting it, only to pick the answer. */
    static MutableHttpResponse<String> rejected(final String token) {
        try {
            final JWT jwt = JWTParser.parse(token);
            final Date exp = jwt.getJWTClaimsSet().getExpirationTime();
            if (exp != null && exp.getTime() < System.currentTimeMillis()) {
                return ErrorResponses.of(HttpStatus.UNAUTHORIZED, "TOKEN_EXPIRED", "the token expired at "
                        + exp.toInstant() + "; get a new one");
            }
        } catch (ParseException e) {
            return ErrorResponses.of(HttpStatus.UNAUTHORIZED, "TOKEN_INVALID", "the token is not a JWT");
        }
        return ErrorResponses.of(HttpStatus.UNAUTHORIZED, "TOKEN_INVALID",
                "the token was not accepted (signature, algorithm, missing exp, not yet valid, or subject)");
    }
}
