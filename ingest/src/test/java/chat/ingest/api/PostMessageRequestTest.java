package chat.ingest.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PostMessageRequestTest {

    private static ApiError rejection(final byte[] body) {
        final ApiException e = catchThrowableOfType(ApiException.class, () -> PostMessageRequest.parse(body));
        assertThat(e).as("expected a rejection").isNotNull();
        return e.error();
    }

    private static ApiError rejection(final String body) {
        return rejection(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void givenValidBody_whenParsed_thenTextAndClientIdKept() {
        final PostMessageRequest r = PostMessageRequest.parse(
                "{\"text\":\"héllo \\\"world\\\" 👋\",\"clientMessageId\":\"c-1\",\"extra\":{\"a\":[1,2]}}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.text()).isEqualTo("héllo \"world\" 👋");
        assertThat(r.clientMessageId()).isEqualTo("c-1");
        assertThat(PostMessageRequest.parse("{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8)).clientMessageId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[]", "\"text\"", "{\"text\":\"a\"} {}", "{\"text\":\"a\",}", "{text:1}",
            "{\"text\":\"a\",\"text\":\"b\"}", "null"})
    void givenMalformedJson_thenMalformedJson(final String body) {
        assertThat(rejection(body)).isEqualTo(ApiError.MALFORMED_JSON);
    }

    @Test
    void givenMissingOrBlankText_thenTextRequired() {
        assertThat(rejection("{}")).isEqualTo(ApiError.TEXT_REQUIRED);
        assertThat(rejection("{\"text\":null}")).isEqualTo(ApiError.TEXT_REQUIRED);
        assertThat(rejection("{\"text\":\"  \\n\\t \"}")).isEqualTo(ApiError.TEXT_REQUIRED);
    }

    @Test
    void givenWrongTypes_thenInvalidFieldType() {
        assertThat(rejection("{\"text\":42}")).isEqualTo(ApiError.INVALID_FIELD_TYPE);
        assertThat(rejection("{\"text\":[\"a\"]}")).isEqualTo(ApiError.INVALID_FIELD_TYPE);
        assertThat(rejection("{\"text\":\"a\",\"clientMessageId\":7}")).isEqualTo(ApiError.INVALID_FIELD_TYPE);
    }

    @Test
    void givenTextAtAndOverTheLimit_thenOnlyOverIsRejected() {
        final String atLimit = "😀".repeat(PostMessageRequest.MAX_TEXT_CODE_POINTS); // 2 chars, 1 code point each
        assertThat(PostMessageRequest.parse(("{\"text\":\"" + atLimit + "\"}").getBytes(StandardCharsets.UTF_8)).text())
                .hasSize(2 * PostMessageRequest.MAX_TEXT_CODE_POINTS);
        assertThat(rejection("{\"text\":\"" + "a".repeat(PostMessageRequest.MAX_TEXT_CODE_POINTS + 1) + "\"}"))
                .isEqualTo(ApiError.TEXT_TOO_LONG);
        assertThat(rejection("{\"text\":\"" + "a".repeat(PostMessageRequest.MAX_BODY_BYTES) + "\"}"))
                .isEqualTo(ApiError.PAYLOAD_TOO_LARGE);
    }

    @Test
    void givenInvalidUtf8_thenInvalidUtf8() {
        final byte[] body = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(rejection(body)).isEqualTo(ApiError.INVALID_UTF8);
        final byte[] overlong = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        assertThat(rejection(overlong)).isEqualTo(ApiError.INVALID_UTF8);
    }

    @Test
    void givenUnstorableCharacters_thenInvalidText() {
        assertThat(rejection("{\"text\":\"a\\u0000b\"}")).isEqualTo(ApiError.INVALID_TEXT);
        assertThat(rejection("{\"text\":\"a\\ud800b\"}")).isEqualTo(ApiError.INVALID_TEXT);
        assertThat(rejection("{\"text\":\"a\\udc00\"}")).isEqualTo(ApiError.INVALID_TEXT);
    }

    @Test
    void givenBadClientMessageId_thenInvalidId() {
        assertThat(rejection("{\"text\":\"a\",\"clientMessageId\":\"has space\"}")).isEqualTo(ApiError.INVALID_ID);
        assertThat(rejection("{\"text\":\"a\",\"clientMessageId\":\"" + "x".repeat(65) + "\"}")).isEqualTo(ApiError.INVALID_ID);
    }

    @Test
    void shouldDeriveTheSameMessageIdForTheSameClientMessage() {
        assertThat(MessageIds.forClientMessage("t", "u", "c1")).isEqualTo(MessageIds.forClientMessage("t", "u", "c1"));
        assertThat(MessageIds.forClientMessage("t", "u", "c1")).isNotEqualTo(MessageIds.forClientMessage("t", "v", "c1"));
        final String a = MessageIds.newId(1_000L);
        final String b = MessageIds.newId(2_000L);
        assertThat(a).isNotEqualTo(b);
        assertThat(java.util.UUID.fromString(a).version()).isEqualTo(7);
        assertThat(a.compareTo(b)).isNegative();
    }
}
