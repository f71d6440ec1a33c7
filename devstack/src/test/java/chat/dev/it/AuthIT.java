package chat.dev.it;

import chat.common.auth.DevTokens;
import chat.dev.DevStack;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route needs a JWT: the refusals and their codes, the routes open without one, the
 * WebSocket's 4401, the dev-only token route, and RS256 tokens of an identity provider verified
 * through its JWKS (a second service context configured only with the JWKS URL).
 */
class AuthIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void givenNoOrBadTokens_thenEveryApiRouteRefuses_withStableCodes_whileHealthAndDocsStayOpen() throws Exception {
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        api.provision("auth-t", "general");
        for (String path : new String[] {"/api/v1/teams/auth-t/channels", "/api/v1/teams/auth-t/channels/general/messages",
                "/api/v1/teams/auth-t/channels/general/presence", "/api/v1/teams/no-such/channels"}) {
            final HttpResponse<String> r = get(stack.httpUrl() + path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).as(path).contains("\"UNAUTHENTICATED\"");
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer");
        }
        // a token in the query is for the WebSocket upgrade only (URLs end up in logs)
        final HttpResponse<String> inQuery = get(stack.httpUrl() + "/api/v1/teams/auth-t/channels?access_token="
                + Tokens.token(Api.USER), null);
        assertThat(inQuery.statusCode()).isEqualTo(401);
        final HttpResponse<String> expired = get(stack.httpUrl() + "/api/v1/teams/auth-t/channels",
                stack.tokens().sign(new JWTClaimsSet.Builder().subject(Api.USER)
                        .expirationTime(Date.from(Instant.now().minusSeconds(120))).build()));
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("\"TOKEN_EXPIRED\"");
        final HttpResponse<String> ok = get(stack.httpUrl() + "/api/v1/teams/auth-t/channels", Tokens.token(Api.USER));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        // a valid token of someone else: authenticated, but the team is invisible to them
        final HttpResponse<String> outsider = get(stack.httpUrl() + "/api/v1/teams/auth-t/channels", Tokens.token("auth-outsider"));
        assertThat(outsider.statusCode()).isEqualTo(404);

        assertThat(get(stack.httpUrl() + "/health", null).statusCode()).isEqualTo(200);
        assertThat(get(stack.httpUrl() + "/api/v1/openapi.yaml", null).statusCode()).isEqualTo(200);
        assertThat(get(stack.httpUrl() + "/prometheus", null).statusCode()).isEqualTo(200);
    }

    @Test
    void givenTheWebSocket_whenTheTokenIsMissingExpiredOrForged_thenClosedWith4401_andAValidOneSubscribes() throws Exception {
        final DevStack stack = TestStack.get();
        final String expired = stack.tokens().sign(new JWTClaimsSet.Builder().subject(Api.USER)
                .expirationTime(Date.from(Instant.now().minusSeconds(120))).build());
        final String forged = new DevTokens(DevTokens.randomSecret()).mint(Api.USER, Duration.ofMinutes(5));
        for (String url : new String[] {stack.wsUrl(), stack.wsUrl() + "?access_token=" + expired,
                stack.wsUrl() + "?access_token=" + forged, stack.wsUrl() + "?access_token=garbage"}) {
            try (WsClient c = WsClient.connectRaw(url)) {
                assertThat(c.closed.get(10, TimeUnit.SECONDS)).as(url).isEqualTo(4401);
            }
        }
        new Api(stack.httpUrl()).provision("auth-ws", "general");
        try (WsClient c = WsClient.connect(stack.wsUrl(), Api.USER)) {
            c.subscribe("auth-ws");
            assertThat(c.closed).isNotDone();
        }
    }

    @Test
    void givenTheDevTokenRoute_thenItMintsTokensTheStackAccepts_andRefusesBadInput() throws Exception {
        final DevStack stack = TestStack.get();
        final HttpResponse<String> minted = post(stack.httpUrl() + "/api/v1/dev/tokens?user=dt-alice&user=dt-bob&ttlSeconds=600");
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        final String token = WsClient.JSON.readTree(minted.body()).path("tokens").path("dt-alice").asText();
        assertThat(WsClient.JSON.readTree(minted.body()).path("tokens").has("dt-bob")).isTrue();
        final Api.Reply created = new Api(stack.httpUrl()).send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/api/v1/teams"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"teamId\":\"dt-team-" + System.nanoTime() + "\"}")).build());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);

        assertThat(post(stack.httpUrl() + "/api/v1/dev/tokens").body()).contains("INVALID_REQUEST");
        assertThat(post(stack.httpUrl() + "/api/v1/dev/tokens?user=a.b").body()).contains("INVALID_ID");
        assertThat(post(stack.httpUrl() + "/api/v1/dev/tokens?user=a&ttlSeconds=0").body()).contains("INVALID_REQUEST");
    }

    @Test
    void givenAnIdentityProvidersJwks_whenAServiceIsConfiguredWithItsUrl_thenItsRs256TokensAreAccepted_andOthersRefused()
            throws Exception {
        final DevStack stack = TestStack.get();
        final RSAKey idpKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        final RSAKey otherKey = new RSAKeyGenerator(2048).keyID("idp-1").generate(); // same kid, wrong key
        final byte[] jwks = new JWKSet(idpKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        final HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/jwks.json", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, jwks.length);
            ex.getResponseBody().write(jwks);
            ex.close();
        });
        idp.start();
        final Map<String, Object> props = TestStack.ingestOnly(stack);
        props.put("micronaut.security.token.jwt.signatures.jwks.idp.url",
                "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json");
        try (ApplicationContext ctx = ApplicationContext.builder().properties(props).deduceEnvironment(false).start()) {
            final String url = "http://127.0.0.1:" + ctx.getBean(EmbeddedServer.class).start().getPort() + "/api/v1/teams";
            final String team = "rs-team-" + System.nanoTime();
            assertThat(createTeam(url, rs256(otherKey, "rs-alice"), team).statusCode()).as("wrong key").isEqualTo(401);
            assertThat(createTeam(url, stack.tokens().mint("rs-alice", Duration.ofMinutes(5)), team).statusCode())
                    .as("an HS256 token where only the JWKS is configured").isEqualTo(401);
            final HttpResponse<String> ok = createTeam(url, rs256(idpKey, "rs-alice"), team);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        } finally {
            idp.stop(0);
        }
    }

    private static String rs256(final RSAKey key, final String user) throws JOSEException {
        final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject(user).issuer("https://idp.example")
                        .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static HttpResponse<String> createTeam(final String url, final String token, final String team) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"teamId\":\"" + team + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(final String url, final String token) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(final String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
