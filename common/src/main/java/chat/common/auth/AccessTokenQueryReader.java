package chat.common.auth;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.token.reader.TokenReader;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * Reads the token from {@code ?access_token=} on a WebSocket upgrade ({@code GET} with
 * {@code Upgrade: websocket}), where browsers cannot send an {@code Authorization} header. Other
 * requests must use the header: a token in a URL ends up in access logs and browser history, so
 * it is accepted only where there is no alternative.
 */
@Singleton
final class AccessTokenQueryReader implements TokenReader<HttpRequest<?>> {
    @Override
    public Optional<String> findToken(final HttpRequest<?> request) {
        if (request.getMethod() != HttpMethod.GET || !"websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"))) {
            return Optional.empty();
        }
        return Optional.ofNullable(request.getParameters().get(Identity.TOKEN_QUERY)).filter(t -> !t.isBlank());
    }

    @Override
    public int getOrder() {
        return 100; // after the bearer header
    }
}
