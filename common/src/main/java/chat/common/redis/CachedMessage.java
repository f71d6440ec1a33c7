package chat.common.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A message of a channel's history as the read cache stores it: exactly the read API's message
 * object, byte for byte what the shard path renders,
 * {@code {"messageId":…,"authorId":…,"text":…,"createdAt":…,"editedAt":…,"position":{"partition":…,"offset":…},"replyCount":…,"lastReplyAt":…}}
 * (times as ISO-8601 instants, absent ones null). A history read then only joins stored objects
 * into the answer (no decoding or re-encoding per read), and the cache's Lua scripts change a
 * stored object by replacing the value between two field names (edit: {@code text} and
 * {@code editedAt}; thread summary: {@code replyCount} and {@code lastReplyAt}) with a value
 * rendered here ({@link #jsonString}, {@link #jsonNumber}). That is unambiguous: inside a JSON string
 * every {@code "} is escaped, so {@code ,"createdAt":} can only be the field separator.
 *
 * <pre>{@code
 * String stored = new CachedMessage("m1", "bob", "hi", "2026-11-21T10:00:00Z", null, 3, 42, 0, null).encode();
 * String newText = CachedMessage.jsonString("hi, edited"); // "\"hi, edited\""
 * }</pre>
 */
public record CachedMessage(String messageId, String authorId, String text, String createdAt, String editedAt,
                            int partition, long offset, int replyCount, String lastReplyAt) {
    private static final JsonFactory JSON = new JsonFactory();

    /** The field names the Lua scripts splice between, in the stored order. */
    public static final String TEXT = ",\"text\":";
    public static final String CREATED_AT = ",\"createdAt\":";
    public static final String EDITED_AT = ",\"editedAt\":";
    public static final String POSITION = ",\"position\":";
    public static final String REPLY_COUNT = ",\"replyCount\":";
    public static final String LAST_REPLY_AT = ",\"lastReplyAt\":";

    public CachedMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** The stored form: the read API's message object. */
    public String encode() {
        final StringWriter out = new StringWriter(192 + (text == null ? 0 : text.length()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeJson(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The read API's message object (same fields, order and escaping as the shard path). */
    public void writeJson(final JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("messageId", messageId);
        g.writeStringField("authorId", authorId);
        g.writeStringField("text", text);
        writeNullable(g, "createdAt", createdAt);
        writeNullable(g, "editedAt", editedAt);
        g.writeObjectFieldStart("position");
        g.writeNumberField("partition", partition);
        g.writeNumberField("offset", offset);
        g.writeEndObject();
        g.writeNumberField("replyCount", replyCount);
        writeNullable(g, "lastReplyAt", lastReplyAt);
        g.writeEndObject();
    }

    /** A JSON value as the stored object holds it: the quoted, escaped string, or {@code null}. */
    public static String jsonString(final String value) {
        if (value == null) {
            return "null";
        }
        final StringWriter out = new StringWriter(value.length() + 8);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A JSON number as the stored object holds it. */
    public static String jsonNumber(final long value) {
        return Long.toString(value);
    }

    private static void writeNullable(final JsonGenerator g, final String field, final String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
