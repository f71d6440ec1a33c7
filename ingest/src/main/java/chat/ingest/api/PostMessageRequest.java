package chat.ingest.api;

import chat.common.ids.Ids;


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
    public static final int MAX_BODY_BYTES = JsonBody.MAX_BYTES;

    /** Parses and validates a request body. */
    public static PostMessageRequest parse(final byte[] body) {
        final JsonBody json = JsonBody.parse(body, false);
        return validated(json.string("text"), json.string("clientMessageId"));
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
}
