package chat.common.auth;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.util.HttpHostResolver;
import io.micronaut.http.server.util.locale.HttpLocaleResolver;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.event.TokenValidatedEvent;
import io.micronaut.security.filters.SecurityFilter;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.MapClaims;
import io.micronaut.security.token.TokenAuthenticationFetcher;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import io.micronaut.security.token.reader.TokenResolver;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Micronaut's token authentication with {@link VerifiedTokenCache} in front: a token verified
 * recently is not parsed and its signature not checked again; everything else about it is. On a
 * hit every {@link GenericJwtClaimsValidator} (our {@link RequiredClaims}, Micronaut's expiry and
 * not-before checks, issuer or audience when configured, anything request-dependent) runs again
 * on the cached claims, and the entry itself ends at {@code exp}; a hit that fails them takes the
 * full path, which refuses it the usual way. Misses go to the same {@link TokenValidator} beans as
 * before and only their successes are stored.
 *
 * <p>Threads: a hit is answered on the calling thread (the Netty event loop). A miss runs the
 * validators where they run: HS256, and RS256 with keys already fetched, complete on the calling
 * thread; a JWKS fetch goes through Micronaut's non-blocking HTTP client. Nothing here hops to an
 * executor (see README, "Authentication").
 */
@Singleton
@Replaces(TokenAuthenticationFetcher.class)
final class CachingTokenAuthenticationFetcher extends TokenAuthenticationFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(CachingTokenAuthenticationFetcher.class);

    private final TokenResolver<HttpRequest<?>> tokenResolver;
    @SuppressWarnings("rawtypes")
    private final List<GenericJwtClaimsValidator> claimsValidators;
    private final VerifiedTokenCache cache;
    /** Whether anything listens to {@link TokenValidatedEvent}: building one resolves the host and locale. */
    private final boolean publishEvents;

    @SuppressWarnings("rawtypes")
    CachingTokenAuthenticationFetcher(final List<TokenValidator<HttpRequest<?>>> tokenValidators,
                                      final TokenResolver<HttpRequest<?>> tokenResolver,
                                      final ApplicationEventPublisher<TokenValidatedEvent> tokenValidatedEventPublisher,
                                      final HttpHostResolver httpHostResolver,
                                      final HttpLocaleResolver httpLocaleResolver,
                                      final List<GenericJwtClaimsValidator> claimsValidators,
                                      final VerifiedTokenCache cache,
                                      @Value("${micronaut.security.token.jwt.nimbus.reactive-validator-execute-on-blocking:false}")
                                      final boolean validationOnBlocking,
                                      final List<ApplicationEventListener<TokenValidatedEvent>> tokenListeners) {
        super(tokenValidators, tokenResolver, tokenValidatedEventPublisher, httpHostResolver, httpLocaleResolver);
        this.tokenResolver = tokenResolver;
        this.claimsValidators = List.copyOf(claimsValidators);
        this.cache = cache;
        this.publishEvents = !tokenListeners.isEmpty();
        LOG.info("verified-token cache {}; hits re-check claims with {}", cache.enabled() ? "on" : "off",
                this.claimsValidators.stream().map(v -> v.getClass().getSimpleName()).toList());
        if (validationOnBlocking) {
            LOG.warn("micronaut.security.token.jwt.nimbus.reactive-validator-execute-on-blocking=true moves every"
                    + " uncached token verification to the blocking executor; it is not needed (no verification"
                    + " blocks) and costs a thread hop per miss");
        }
    }

    @Override
    public Publisher<Authentication> fetchAuthentication(final HttpRequest<?> request) {
        if (!cache.enabled()) {
            return super.fetchAuthentication(request);
        }
        final List<String> tokens = tokenResolver.resolveTokens(request);
        if (tokens.isEmpty()) {
            return Flux.empty();
        }
        if (tokens.size() == 1) {
            return authenticate(tokens.get(0), request);
        }
        return Flux.fromIterable(tokens).concatMap(token -> authenticate(token, request));
    }

    private Mono<Authentication> authenticate(final String token, final HttpRequest<?> request) {
        final Authentication cached = cache.get(token, auth -> claimsHold(auth, request));
        if (cached != null) {
            return Mono.just(accepted(token, request, cached));
        }
        return Flux.fromIterable(tokenValidators)
                .flatMap(validator -> validator.validateToken(token, request))
                .next()
                .map(verified -> {
                    cache.put(token, verified);
                    return accepted(token, request, verified);
                });
    }

    /**
     * What Micronaut's fetcher does with a verified token, so listeners and filters see no difference;
     * the event only when something listens (resolving host and locale for it was 7 % of the event
     * loops' time at 150 posts/s, and nothing in the platform or in micronaut-security listens).
     */
    private Authentication accepted(final String token, final HttpRequest<?> request, final Authentication authentication) {
        request.setAttribute(SecurityFilter.TOKEN, token);
        if (publishEvents) {
            tokenValidatedEventPublisher.publishEvent(new TokenValidatedEvent(token, httpHostResolver.resolve(request),
                    httpLocaleResolver.resolveOrDefault(request)));
        }
        return authentication;
    }

    @SuppressWarnings("unchecked")
    private boolean claimsHold(final Authentication authentication, final HttpRequest<?> request) {
        if (claimsValidators.isEmpty()) {
            return true;
        }
        final Claims claims = new MapClaims(authentication.getAttributes());
        try {
            for (GenericJwtClaimsValidator validator : claimsValidators) {
                if (!validator.validate(claims, request)) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.debug("claims check of a cached token failed; verifying it in full", e);
            return false;
        }
    }
}
