package chat.common.auth;

import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

import java.time.Instant;

/**
 * Claims every accepted token must satisfy beyond its signature: {@code exp} is present (a stolen
 * token must stop working by itself; Micronaut checks an {@code exp} that is there, this makes it
 * mandatory), and {@code nbf}, when present, is not in the future (Micronaut leaves that check
 * off by default). Thirty seconds of leeway for clock skew.
 */
@Singleton
final class RequiredClaims implements GenericJwtClaimsValidator<HttpRequest<?>> {
    static final long SKEW_SECONDS = 30;

    @Override
    public boolean validate(final Claims claims, final HttpRequest<?> request) {
        if (!claims.contains(Claims.EXPIRATION_TIME)) {
            return false;
        }
        final Object nbf = claims.get(Claims.NOT_BEFORE);
        if (nbf == null) {
            return true;
        }
        final Instant notBefore = Identity.instant(nbf);
        return notBefore != null && !notBefore.isAfter(Instant.now().plusSeconds(SKEW_SECONDS));
    }
}
