package chat.dev.it;

import chat.common.auth.DevTokens;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.time.Instant;
import java.util.Date;
import chat.dev.DevStack;
import chat.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input gets a 4xx with a stable code and appends nothing to the log. */
class BadInputIT {

    private static long logEnd(final DevStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            final Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < stack.options().partitions(); p++) {
                spec.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            return admin.listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }

    private static HttpRequest.Builder post(final Api api, final String path) {
        return HttpRequest.newBuilder(URI.create(api.url(path))).timeout(Duration.ofSeconds(10)).header("Authorization", Tokens.bearer(Api.USER));
    }

    @Test
    void givenBadRequests_whenPosted_thenStableCodesAndNothingAppended() throws Exception {
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        api.provision("bad-team", "general");
        final long before = logEnd(stack);
        final String ok = "/api/v1/teams/bad-team/channels/general/messages";

        record Case(String name, HttpRequest request, int status, String code) {
        }
        final byte[] invalidUtf8 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}'};
        final List<Case> cases = List.of(
                new Case("malformed json", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":")).build(), 400, "MALFORMED_JSON"),
                new Case("missing text", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), 400, "TEXT_REQUIRED"),
                new Case("blank text", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"   \"}")).build(), 400, "TEXT_REQUIRED"),
                new Case("text too long", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + "x".repeat(40_001) + "\"}")).build(),
                        400, "TEXT_TOO_LONG"),
                new Case("body over the hard limit", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + "x".repeat(2_000_000) + "\"}")).build(),
                        413, "PAYLOAD_TOO_LARGE"),
                new Case("invalid utf-8", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(invalidUtf8)).build(), 400, "INVALID_UTF8"),
                new Case("bad team id", post(api, "/api/v1/teams/bad.team/channels/general/messages")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 400, "INVALID_ID"),
                new Case("team id too long", post(api, "/api/v1/teams/" + "t".repeat(65) + "/channels/general/messages")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 400, "INVALID_ID"),
                new Case("bad channel id", post(api, "/api/v1/teams/t1/channels/g%20x/messages")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 400, "INVALID_ID"),
                new Case("token subject not a user id", withToken(post(api, ok), TestStack.get().tokens().mint("a b", Duration.ofMinutes(5))),
                        401, "TOKEN_INVALID"),
                new Case("forged token (other secret)", withToken(post(api, ok),
                        new DevTokens(DevTokens.randomSecret()).mint(Api.USER, Duration.ofMinutes(5))), 401, "TOKEN_INVALID"),
                new Case("expired token", withToken(post(api, ok), TestStack.get().tokens().sign(new JWTClaimsSet.Builder()
                        .subject(Api.USER).expirationTime(Date.from(Instant.now().minusSeconds(60))).build())), 401, "TOKEN_EXPIRED"),
                new Case("token without exp", withToken(post(api, ok), TestStack.get().tokens().sign(new JWTClaimsSet.Builder()
                        .subject(Api.USER).build())), 401, "TOKEN_INVALID"),
                new Case("token not yet valid", withToken(post(api, ok), TestStack.get().tokens().sign(new JWTClaimsSet.Builder()
                        .subject(Api.USER).notBeforeTime(Date.from(Instant.now().plusSeconds(600)))
                        .expirationTime(Date.from(Instant.now().plusSeconds(1200))).build())), 401, "TOKEN_INVALID"),
                new Case("unsigned token (alg none)", withToken(post(api, ok), new PlainJWT(new JWTClaimsSet.Builder()
                        .subject(Api.USER).expirationTime(Date.from(Instant.now().plusSeconds(600))).build()).serialize()),
                        401, "TOKEN_INVALID"),
                new Case("not a JWT", withToken(post(api, ok), "hello"), 401, "TOKEN_INVALID"),
                new Case("no author", HttpRequest.newBuilder(URI.create(api.url(ok))).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 401, "UNAUTHENTICATED"),
                new Case("unknown team", post(api, "/api/v1/teams/no-such-team/channels/general/messages")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 404, "TEAM_NOT_FOUND"),
                new Case("unknown channel", post(api, "/api/v1/teams/bad-team/channels/no-such-channel/messages")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 404, "CHANNEL_NOT_FOUND"),
                new Case("not a team member", post(api, ok).header("Content-Type", "application/json").setHeader("Authorization", Tokens.bearer("stranger"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), 403, "NOT_TEAM_MEMBER"),
                new Case("reply to a missing root", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\",\"threadRootId\":\"nope\"}")).build(),
                        422, "THREAD_ROOT_NOT_FOUND"),
                new Case("not json", post(api, ok).header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), 415, "UNSUPPORTED_MEDIA_TYPE"),
                new Case("number as text", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":5}")).build(), 400, "INVALID_FIELD_TYPE"),
                new Case("NUL in text", post(api, ok).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"a\\u0000\"}")).build(), 400, "INVALID_TEXT"));

        for (Case c : cases) {
            final Api.Reply reply = api.send(c.request());
            assertThat(reply.status()).as(c.name() + ": " + reply.body()).isEqualTo(c.status());
            assertThat(reply.code()).as(c.name() + ": " + reply.body()).isEqualTo(c.code());
            assertThat(reply.body().path("error").path("message").asText()).as(c.name()).isNotBlank();
        }

        assertThat(logEnd(stack)).as("nothing appended by rejected requests").isEqualTo(before);

        // and a good request right after does append exactly one event
        final Api.Reply good = api.post("bad-team", "general", "{\"text\":\"fine\"}");
        assertThat(good.status()).isEqualTo(201);
        assertThat(logEnd(stack)).isEqualTo(before + 1);
    }

    @Test
    void givenBadWebSocketFrames_thenErrorFramesWithStableCodes() throws Exception {
        final DevStack stack = TestStack.get();
        try (WsClient ws = WsClient.connect(stack.wsUrl())) {
            ws.send("{not json");
            ws.send("{\"op\":\"subscribe\",\"teamId\":\"bad team\"}");
            ws.send("{\"op\":\"dance\"}");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.ofType("error").size() >= 3);
            final List<String> codes = ws.ofType("error").stream().map(f -> f.path("code").asText()).toList();
            assertThat(codes).hasSize(3).doesNotContain("").allMatch(code -> code.matches("[A-Z_]+"));
            assertThat(ws.ofType("subscribed")).isEmpty();
        }
    }

    /** A valid post of "hi" carrying {@code token} instead of the helper's. */
    private static HttpRequest withToken(final HttpRequest.Builder b, final String token) {
        return b.header("Content-Type", "application/json").setHeader("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build();
    }

}
