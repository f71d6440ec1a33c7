package chat.ingest.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import chat.common.ids.Ids;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The body of {@code POST .../messages}: {@code {"text": "...", "clientMessageId": "optional"}},
 * parsed strictly from raw bytes so that every defect gets its own stable code. Unknown fields
 * are ignored (newer clients may send more); duplicate keys and trailing content are rejected.
 *
 * <pre>{@code
 * PostMessageRequest req = PostMessageRequest.parse(bodyBytes); // throws ApiException
 * }</pre>
 *
 * @param text            the message text, 1..40,000 code points, not blank
 * @param clientMessageId optional client-chosen id for retries, or {@code null}
 */
public record PostMessageRequest(String text, String clientMessageId) {
    /** Maximum text length in Unicode code points. */
    public static final int MAX_TEXT_CODE_POINTS = 40_000;
    /** Maximum body size in bytes (40,000 code points of up to 4 bytes, JSON escaping aside). */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Parses and validates a request body. */
    public static PostMessageRequest parse(final byte[] body) {
        if (body == null || body.length == 0) {
            throw new ApiException(ApiError.MALFORMED_JSON, "request body is empty; expected a JSON object with \"text\"");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiException(ApiError.PAYLOAD_TOO_LARGE, "request body is " + body.length
                    + " bytes; the limit is " + MAX_BODY_BYTES);
        }
        final String json = strictUtf8(body);
        String text = null;
        String clientMessageId = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ApiException(ApiError.MALFORMED_JSON, "body must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                final JsonToken value = p.nextToken();
                switch (field) {
                    case "text" -> text = stringOrNull(p, value, "text");
                    case "clientMessageId" -> clientMessageId = stringOrNull(p, value, "clientMessageId");
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new ApiException(ApiError.MALFORMED_JSON, "body must be a JSON object");
            }
            if (p.nextToken() != null) {
                throw new ApiException(ApiError.MALFORMED_JSON, "unexpected content after the JSON object");
            }
        } catch (JsonParseException e) {
            throw new ApiException(ApiError.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(ApiError.MALFORMED_JSON, "malformed JSON: " + e.getMessage());
        }
        return validated(text, clientMessageId);
    }

    /** Validates already-decoded fields (used by {@link #parse} and by other transports). */
    public static PostMessageRequest validated(final String text, final String clientMessageId) {
        if (text == null || text.isBlank()) {
            throw new ApiException(ApiError.TEXT_REQUIRED, "\"text\" is required and must not be blank");
        }
        final int codePoints = text.codePointCount(0, text.length());
        if (codePoints > MAX_TEXT_CODE_POINTS) {
            throw new ApiException(ApiError.TEXT_TOO_LONG, "\"text\" has " + codePoints
                    + " characters; the limit is " + MAX_TEXT_CODE_POINTS);
        }
        checkStorable(text);
        if (clientMessageId != null && !Ids.isValid(clientMessageId)) {
            throw new ApiException(ApiError.INVALID_ID, "clientMessageId must match [A-Za-z0-9_-]{1,64}");
        }
        return new PostMessageRequest(text, clientMessageId);
    }

    private static void checkStorable(final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '\u0000') {
                throw new ApiException(ApiError.INVALID_TEXT, "\"text\" contains U+0000 at index " + i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new ApiException(ApiError.INVALID_TEXT, "\"text\" contains an unpaired surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new ApiException(ApiError.INVALID_TEXT, "\"text\" contains an unpaired surrogate at index " + i);
            }
        }
    }

    private static String stringOrNull(final JsonParser p, final JsonToken value, final String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            if (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT) {
                p.skipChildren();
            }
            throw new ApiException(ApiError.INVALID_FIELD_TYPE, "\"" + field + "\" must be a string");
        }
        return p.getText();
    }

    private static String strictUtf8(final byte[] body) {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            final CharBuffer chars = decoder.decode(ByteBuffer.wrap(body));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ApiError.INVALID_UTF8, "request body is not valid UTF-8");
        }
    }
}
