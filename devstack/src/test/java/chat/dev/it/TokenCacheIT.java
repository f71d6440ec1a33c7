package chat.dev.it;

import chat.common.auth.DevTokens;
import chat.common.auth.TokenCacheSettings;
import chat.common.auth.VerifiedTokenCache;
import chat.dev.DevStack;
import com.nimbusds.jwt.JWTClaimsSet;
import io.micronaut.security.filters.AuthenticationFetcher;
import io.micronaut.security.token.jwt.nimbus.NimbusJsonWebTokenValidatorConfiguration;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The verified-token cache on the real stack: a token is verified once and then served from the
 * cache, yet expiry, forged signatures and expired tokens are refused exactly as without it.
 */
class TokenCacheIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TEAM = "tc-team";
    private static final String CHANNELS = "/api/v1/teams/" + TEAM + "/channels";

    private record Sent(Instant sentAt, Instant answeredAt, int status, String body) {
    }

    @Test
    void givenAValidToken_whenUsedTwiceAndOnTheWebSocket_thenVerifiedOnce_andServedFromTheCacheAfter() throws Exception {
        final DevStack stack = TestStack.get();
        new Api(stack.httpUrl()).provision(TEAM, "general");
        final VerifiedTokenCache cache = stack.context().getBean(VerifiedTokenCache.class);
        final String token = token(stack, Instant.now().plusSeconds(600));
        final VerifiedTokenCache.Stats before = cache.stats();

        assertThat(get(stack, token).status()).isEqualTo(200);
        final VerifiedTokenCache.Stats afterFirst = cache.stats();
        assertThat(afterFirst.stored()).as("verified and stored").isEqualTo(before.stored() + 1);
        assertThat(afterFirst.hits()).isEqualTo(before.hits());

        final Sent second = get(stack, token);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        final VerifiedTokenCache.Stats afterSecond = cache.stats();
        assertThat(afterSecond.hits()).as("served from the cache").isEqualTo(afterFirst.hits() + 1);
        assertThat(afterSecond.stored()).isEqualTo(afterFirst.stored());

        // the WebSocket upgrade authenticates the same way: same token, another hit
        try (WsClient ws = WsClient.connectRaw(stack.wsUrl() + "?access_token=" + token)) {
            ws.subscribe(TEAM);
            assertThat(ws.closed).isNotDone();
        }
        assertThat(cache.stats().hits()).isEqualTo(afterSecond.hits() + 1);
    }

    @Test
    void givenACachedTokenAboutToExpire_thenItIsAcceptedUntilExp_andRefusedWith401FromThenOn() throws Exception {
        final DevStack stack = TestStack.get();
        new Api(stack.httpUrl()).provision(TEAM, "general");
        final VerifiedTokenCache cache = stack.context().getBean(VerifiedTokenCache.class);
        // exp has whole seconds: at least 3 s ahead
        final Instant exp = Instant.ofEpochSecond(Instant.now().plusSeconds(4).getEpochSecond());
        final String token = token(stack, exp);

        assertThat(get(stack, token).status()).isEqualTo(200);
        final long hits = cache.stats().hits();
        assertThat(get(stack, token).status()).isEqualTo(200);
        assertThat(cache.stats().hits()).as("the second request was a cache hit").isEqualTo(hits + 1);

        final List<Sent> polled = new ArrayList<>();
        await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).until(() -> {
            final Sent s = get(stack, token);
            polled.add(s);
            return s.status() != 200;
        });
        final Sent refused = polled.get(polled.size() - 1);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body()).contains("\"TOKEN_EXPIRED\"");
        assertThat(refused.answeredAt()).as("not refused before exp").isAfterOrEqualTo(exp);
        for (Sent s : polled.subList(0, polled.size() - 1)) {
            assertThat(s.sentAt()).as("accepted only before exp").isBeforeOrEqualTo(exp);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(get(stack, token).status()).as("and refused from then on").isEqualTo(401);
        }
    }

    @Test
    void givenAForgedSignature_thenEveryRequestIsRefused_andTheGenuineTokenStillWorks() throws Exception {
        final DevStack stack = TestStack.get();
        new Api(stack.httpUrl()).provision(TEAM, "general");
        final VerifiedTokenCache cache = stack.context().getBean(VerifiedTokenCache.class);
        final JWTClaimsSet claims = claims(Instant.now().plusSeconds(600));
        final String genuine = stack.tokens().sign(claims);
        // same header and claims, signed with another secret: only the signature differs
        final String forged = new DevTokens(DevTokens.randomSecret()).sign(claims);
        assertThat(forged.substring(0, forged.lastIndexOf('.'))).isEqualTo(genuine.substring(0, genuine.lastIndexOf('.')));
        assertThat(get(stack, genuine).status()).isEqualTo(200); // the genuine one is cached now
        final VerifiedTokenCache.Stats before = cache.stats();

        for (int i = 0; i < 3; i++) {
            final Sent s = get(stack, forged);
            assertThat(s.status()).as("attempt " + i).isEqualTo(401);
            assertThat(s.body()).contains("\"TOKEN_INVALID\"");
        }
        final VerifiedTokenCache.Stats after = cache.stats();
        assertThat(after.hits()).isEqualTo(before.hits());
        assertThat(after.stored()).as("failures are never cached").isEqualTo(before.stored());

        assertThat(get(stack, genuine).status()).isEqualTo(200);
        assertThat(cache.stats().hits()).isEqualTo(before.hits() + 1);
    }

    @Test
    void givenAnExpiredToken_thenItIsRefusedEveryTime_andNotCached() throws Exception {
        final DevStack stack = TestStack.get();
        final VerifiedTokenCache cache = stack.context().getBean(VerifiedTokenCache.class);
        final String expired = token(stack, Instant.now().minusSeconds(120));
        final VerifiedTokenCache.Stats before = cache.stats();

        for (int i = 0; i < 2; i++) {
            final Sent s = get(stack, expired);
            assertThat(s.status()).isEqualTo(401);
            assertThat(s.body()).contains("\"TOKEN_EXPIRED\"");
        }
        assertThat(cache.stats().stored()).isEqualTo(before.stored());
        assertThat(cache.stats().hits()).isEqualTo(before.hits());
    }

    @Test
    void givenTheStack_thenTheCachingFetcherWithDefaultSettingsIsInUse_andVerificationStaysOffTheBlockingExecutor() {
        final DevStack stack = TestStack.get();
        final TokenCacheSettings settings = stack.context().getBean(TokenCacheSettings.class);
        assertThat(settings.maxEntries()).isEqualTo(10_000);
        assertThat(settings.maxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(stack.context().getBeansOfType(AuthenticationFetcher.class))
                .extracting(f -> f.getClass().getSimpleName())
                .contains("CachingTokenAuthenticationFetcher")
                .doesNotContain("TokenAuthenticationFetcher");
        assertThat(stack.context().getBean(NimbusJsonWebTokenValidatorConfiguration.class)
                .isReactiveValidatorExecuteOnBlocking()).isFalse();
    }

    private static JWTClaimsSet claims(final Instant exp) {
        return new JWTClaimsSet.Builder().subject(Api.USER).issuer(DevTokens.ISSUER)
                .issueTime(new Date()).expirationTime(Date.from(exp))
                .jwtID(UUID.randomUUID().toString()) // a token no other test has sent
                .build();
    }

    private static String token(final DevStack stack, final Instant exp) {
        return stack.tokens().sign(claims(exp));
    }

    private static Sent get(final DevStack stack, final String token) throws Exception {
        final Instant sentAt = Instant.now();
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + CHANNELS))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Sent(sentAt, Instant.now(), r.statusCode(), r.body());
    }
}
