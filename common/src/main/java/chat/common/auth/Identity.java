package chat.common.auth;

import chat.common.ids.Ids;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.SecurityFilter;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Who is calling: the one place every service asks. The caller is the subject ({@code sub}) of a
 * JWT that Micronaut Security verified before the request reached a route: from the
 * {@code Authorization: Bearer} header, or, on a WebSocket upgrade (browsers cannot set headers
 * there), from the {@code access_token} query parameter ({@link AccessTokenQueryReader}). Which
 * signatures are accepted (an HS256 secret, RS256 keys from a JWKS URL) is configuration; see
 * the README's "Authentication" section.
 *
 * <pre>{@code
 * Optional<String> user = Identity.userOf(request); // empty: no valid token, or its subject is not a valid id
 * }</pre>
 */
public final class Identity {
    /** Query parameter carrying the token on a WebSocket upgrade. */
    public static final String TOKEN_QUERY = "access_token";

    private Identity() {
    }

    /** The verified caller's user id; empty when no valid token came or its subject is not a valid id. */
    public static Optional<String> userOf(final HttpRequest<?> request) {
        return request.getAttribute(SecurityFilter.AUTHENTICATION, Authentication.class)
                .map(Authentication::getName)
                .filter(Ids::isValid);
    }

    /** When the verified token stops being valid ({@code exp}); empty without a verified token. */
    public static Optional<Instant> expiryOf(final HttpRequest<?> request) {
        return request.getAttribute(SecurityFilter.AUTHENTICATION, Authentication.class)
                .map(a -> instant(a.getAttributes().get("exp")));
    }

    /** A JWT time claim as the validators hand it over (Date, Instant or epoch seconds); null otherwise. */
    static Instant instant(final Object claim) {
        return claim instanceof Date d ? d.toInstant()
                : claim instanceof Instant i ? i
                : claim instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null;
    }
}
