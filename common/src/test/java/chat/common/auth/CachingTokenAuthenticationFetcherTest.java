package chat.common.auth;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.util.locale.HttpLocaleResolver;
import io.micronaut.http.simple.SimpleHttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.event.TokenValidatedEvent;
import io.micronaut.security.filters.SecurityFilter;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import io.micronaut.security.token.validator.TokenValidator;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CachingTokenAuthenticationFetcherTest {
    /** Something listens to token events, so the fetcher publishes them (as Micronaut's does). */
    private static final List<ApplicationEventListener<TokenValidatedEvent>> LISTENING = List.of(event -> { });

    /** Requests carry no locale here: every one resolves to {@link Locale#ROOT}. */
    private static final HttpLocaleResolver ROOT_LOCALE = new HttpLocaleResolver() {
        @Override
        public Optional<Locale> resolve(final HttpRequest<?> request) {
            return Optional.empty();
        }

        @Override
        public Locale resolveOrDefault(final HttpRequest<?> request) {
            return Locale.ROOT;
        }
    };

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    /** Tokens the fake signature check accepts, with their claims. */
    private final Map<String, Map<String, Object>> signed = new ConcurrentHashMap<>();
    private final AtomicInteger verifications = new AtomicInteger();
    private final AtomicBoolean issuerTrusted = new AtomicBoolean(true);
    private final List<TokenValidatedEvent> events = new CopyOnWriteArrayList<>();

    /** Like Micronaut's: exp against the clock, then the issuer rule, both as claims validators. */
    @SuppressWarnings("rawtypes")
    private final List<GenericJwtClaimsValidator> claimsValidators = List.of(
            (GenericJwtClaimsValidator<HttpRequest<?>>) (claims, request) -> {
                final Instant exp = Identity.instant(claims.get(Claims.EXPIRATION_TIME));
                return exp != null && clock.instant().isBefore(exp);
            },
            (GenericJwtClaimsValidator<HttpRequest<?>>) (claims, request) -> issuerTrusted.get());

    /** Stands in for the Nimbus validator: signature (the map), then every claims validator. */
    @SuppressWarnings("unchecked")
    private final TokenValidator<HttpRequest<?>> validator = (token, request) -> {
        verifications.incrementAndGet();
        final Map<String, Object> claims = signed.get(token);
        if (claims == null) {
            return Mono.empty();
        }
        final io.micronaut.security.token.MapClaims c = new io.micronaut.security.token.MapClaims(claims);
        for (GenericJwtClaimsValidator v : claimsValidators) {
            if (!v.validate(c, request)) {
                return Mono.empty();
            }
        }
        return Mono.just(Authentication.build((String) claims.get("sub"), claims));
    };

    private CachingTokenAuthenticationFetcher fetcher(final VerifiedTokenCache cache) {
        final ApplicationEventPublisher<TokenValidatedEvent> publisher = events::add;
        return new CachingTokenAuthenticationFetcher(List.of(validator),
                request -> Optional.ofNullable(request.getHeaders().get("X-Token")),
                publisher, request -> "http://chat.test", ROOT_LOCALE, claimsValidators, cache, false, LISTENING);
    }

    private static HttpRequest<?> request(final String token) {
        final SimpleHttpRequest<Object> r = new SimpleHttpRequest<>(HttpMethod.GET, "/api/v1/teams", null);
        if (token != null) {
            r.getHeaders().add("X-Token", token);
        }
        return r;
    }

    private String sign(final String token, final String user, final Instant exp) {
        signed.put(token, Map.of("sub", user, "exp", Date.from(exp)));
        return token;
    }

    private static Optional<Authentication> fetch(final CachingTokenAuthenticationFetcher f, final HttpRequest<?> r) {
        return Optional.ofNullable(Mono.from(f.fetchAuthentication(r)).block(Duration.ofSeconds(5)));
    }

    @Test
    void givenNoTokenListener_whenAuthenticated_thenNoEventIsBuilt_andTheRequestStillCarriesItsToken() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final java.util.concurrent.atomic.AtomicInteger hostLookups = new java.util.concurrent.atomic.AtomicInteger();
        final CachingTokenAuthenticationFetcher f = new CachingTokenAuthenticationFetcher(List.of(validator),
                request -> Optional.ofNullable(request.getHeaders().get("X-Token")), events::add,
                request -> "http://chat.test/" + hostLookups.incrementAndGet(), ROOT_LOCALE, claimsValidators, cache, false,
                List.of());
        final String token = sign("good-9", "alice", T0.plusSeconds(3600));
        final HttpRequest<?> miss = request(token);
        final HttpRequest<?> hit = request(token);

        assertThat(fetch(f, miss)).map(Authentication::getName).hasValue("alice");
        assertThat(fetch(f, hit)).map(Authentication::getName).hasValue("alice");

        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(hit.getAttribute(SecurityFilter.TOKEN, String.class)).hasValue(token);
        assertThat(events).isEmpty();
        assertThat(hostLookups).hasValue(0);
    }

    @Test
    void givenAValidToken_whenSentTwice_thenVerifiedOnce_andBothRequestsLookVerified() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final CachingTokenAuthenticationFetcher f = fetcher(cache);
        final String token = sign("good-1", "alice", T0.plusSeconds(3600));

        final HttpRequest<?> first = request(token);
        final HttpRequest<?> second = request(token);
        assertThat(fetch(f, first)).map(Authentication::getName).hasValue("alice");
        assertThat(fetch(f, second)).map(Authentication::getName).hasValue("alice");

        assertThat(verifications).hasValue(1);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(second.getAttribute(SecurityFilter.TOKEN, String.class)).hasValue(token);
        assertThat(events).hasSize(2);
        assertThat(events.get(1).getSource()).isEqualTo(token);
    }

    @Test
    void givenAHitAnsweredSynchronously_thenNoSchedulerIsInvolved() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final CachingTokenAuthenticationFetcher f = fetcher(cache);
        final String token = sign("good-sync", "alice", T0.plusSeconds(3600));
        fetch(f, request(token));

        final String caller = Thread.currentThread().getName();
        final String[] answeredOn = new String[1];
        Mono.from(f.fetchAuthentication(request(token))).subscribe(a -> answeredOn[0] = Thread.currentThread().getName());

        assertThat(answeredOn[0]).as("answered during subscribe, on the subscribing thread").isEqualTo(caller);
    }

    @Test
    void givenForgedOrUnknownTokens_thenEveryRequestIsVerified_andNothingIsCached() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final CachingTokenAuthenticationFetcher f = fetcher(cache);
        sign("good-2", "alice", T0.plusSeconds(3600));

        for (int i = 0; i < 3; i++) {
            assertThat(fetch(f, request("good-2-forged"))).isEmpty();
        }
        assertThat(fetch(f, request(null))).isEmpty();

        assertThat(verifications).hasValue(3);
        assertThat(cache.stats().size()).isZero();
        assertThat(cache.stats().stored()).isZero();
        assertThat(events).isEmpty();
    }

    @Test
    void givenACachedToken_whenItsExpPasses_thenTheNextRequestIsRefused() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final CachingTokenAuthenticationFetcher f = fetcher(cache);
        final String token = sign("good-3", "alice", T0.plusSeconds(3));
        assertThat(fetch(f, request(token))).isPresent();
        assertThat(fetch(f, request(token))).isPresent();

        clock.advance(Duration.ofSeconds(3));

        assertThat(fetch(f, request(token))).isEmpty();
        assertThat(fetch(f, request(token))).isEmpty();
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(verifications).as("refused by full verification, like a token never seen").hasValue(3);
    }

    @Test
    void givenACachedToken_whenAClaimsRuleNowRefusesIt_thenTheHitIsNotServed() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final CachingTokenAuthenticationFetcher f = fetcher(cache);
        final String token = sign("good-4", "alice", T0.plusSeconds(3600));
        assertThat(fetch(f, request(token))).isPresent();

        issuerTrusted.set(false);
        assertThat(fetch(f, request(token))).isEmpty();

        issuerTrusted.set(true);
        assertThat(fetch(f, request(token))).isPresent();
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(verifications).hasValue(2);
    }

    @Test
    void givenTheCacheOff_thenEveryRequestIsVerified() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(0, Duration.ofSeconds(60), clock);
        final CachingTokenAuthenticationFetcher f = fetcher(cache);
        final String token = sign("good-5", "alice", T0.plusSeconds(3600));

        for (int i = 0; i < 3; i++) {
            assertThat(fetch(f, request(token))).map(Authentication::getName).hasValue("alice");
        }
        assertThat(verifications).hasValue(3);
        assertThat(events).hasSize(3);
    }

    @Test
    void givenTwoTokensOnOneRequest_thenTheFirstValidOneWins() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final TokenValidator<HttpRequest<?>> v = validator;
        final CachingTokenAuthenticationFetcher f = new CachingTokenAuthenticationFetcher(List.of(v),
                new io.micronaut.security.token.reader.TokenResolver<>() {
                    @Override
                    public Optional<String> resolveToken(final HttpRequest<?> request) {
                        return Optional.of("bad");
                    }

                    @Override
                    public List<String> resolveTokens(final HttpRequest<?> request) {
                        return List.of("bad", "good-6");
                    }
                }, events::add, r -> "h", ROOT_LOCALE, claimsValidators, cache, false, LISTENING);
        sign("good-6", "bob", T0.plusSeconds(3600));

        final List<Authentication> all = Flux.from(f.fetchAuthentication(request(null))).collectList().block();
        final Publisher<Authentication> again = f.fetchAuthentication(request(null));

        assertThat(all).extracting(Authentication::getName).containsExactly("bob");
        assertThat(Mono.from(again).block()).extracting(Authentication::getName).isEqualTo("bob");
        assertThat(cache.stats().hits()).isEqualTo(1);
    }
}
