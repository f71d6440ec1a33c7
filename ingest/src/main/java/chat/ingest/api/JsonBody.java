package chat.ingest.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request body that must be exactly one JSON object, read strictly from raw bytes: valid
 * UTF-8, no duplicate keys, nothing after the object, at most {@link #MAX_BYTES}. Top-level
 * fields are kept as strings, booleans or {@link #NULL}; nested values are kept only as a
 * marker so that reading them as a scalar is a {@code INVALID_FIELD_TYPE}. Unknown fields are
 * ignored (newer clients may send more).
 *
 * <pre>{@code
 * JsonBody body = JsonBody.parse(bytes);
 * String text = body.string("text");          // null when absent or null
 * boolean priv = body.bool("private", false);
 * }</pre>
 */
final class JsonBody {
    /** Maximum body size in bytes of any write route. */
    static final int MAX_BYTES = 256 * 1024;
    static final Object NULL = new Object();
    private static final Object NESTED = new Object();
    private static final Object NUMBER = new Object();
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Map<String, Object> fields;

    private JsonBody(final Map<String, Object> fields) {
        this.fields = fields;
    }

    /** Parses a body; an absent body is allowed only when {@code optional}. */
    static JsonBody parse(final byte[] body, final boolean optional) {
        if (body == null || body.length == 0) {
            if (optional) {
                return new JsonBody(Map.of());
            }
            throw new ApiException(ApiError.MALFORMED_JSON, "request body is empty; expected a JSON object");
        }
        if (body.length > MAX_BYTES) {
            throw new ApiException(ApiError.PAYLOAD_TOO_LARGE, "request body is " + body.length
                    + " bytes; the limit is " + MAX_BYTES);
        }
        final String json = strictUtf8(body);
        final Map<String, Object> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ApiException(ApiError.MALFORMED_JSON, "body must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                final JsonToken value = p.nextToken();
                fields.put(field, switch (value) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_TRUE -> Boolean.TRUE;
                    case VALUE_FALSE -> Boolean.FALSE;
                    case VALUE_NULL -> NULL;
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NUMBER;
                    default -> {
                        p.skipChildren();
                        yield NESTED;
                    }
                });
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
        return new JsonBody(fields);
    }

    /** The string value of {@code name}, or {@code null} when absent or JSON null. */
    String string(final String name) {
        final Object v = fields.get(name);
        if (v == null || v == NULL) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new ApiException(ApiError.INVALID_FIELD_TYPE, "\"" + name + "\" must be a string");
    }

    /** The boolean value of {@code name}, or {@code fallback} when absent or JSON null. */
    boolean bool(final String name, final boolean fallback) {
        final Object v = fields.get(name);
        if (v == null || v == NULL) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ApiException(ApiError.INVALID_FIELD_TYPE, "\"" + name + "\" must be true or false");
    }

    /** True when the body has {@code name}, even with a JSON null. */
    boolean has(final String name) {
        return fields.containsKey(name);
    }

    private static String strictUtf8(final byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ApiError.INVALID_UTF8, "request body is not valid UTF-8");
        }
    }
}
