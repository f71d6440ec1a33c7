package chat.common.auth;

import chat.common.ids.Ids;
import io.micronaut.http.HttpRequest;

import java.util.Optional;

/**
 * Who is calling: the one place every service asks. Today the caller names themselves in the
 * {@code X-Chat-User} header (or, for a WebSocket upgrade, which browsers cannot give headers, the
 * {@code user} query parameter); the JWT work replaces this class's body with the verified token's
 * subject, and nothing else has to change.
 *
 * <pre>{@code
 * Optional<String> user = Identity.userOf(request); // empty: unauthenticated or not a valid id
 * }</pre>
 */
public final class Identity {
    /** Header naming the caller (until JWT). */
    public static final String USER_HEADER = "X-Chat-User";
    /** Query parameter naming the caller on a WebSocket upgrade (until JWT). */
    public static final String USER_QUERY = "user";

    private Identity() {
    }

    /** The caller's user id when present and a valid id; empty otherwise. */
    public static Optional<String> userOf(final HttpRequest<?> request) {
        String user = request.getHeaders().get(USER_HEADER);
        if (user == null) {
            user = request.getParameters().get(USER_QUERY);
        }
        return Ids.isValid(user) ? Optional.of(user) : Optional.empty();
    }
}
