package chat.common.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A message of a channel's history as the read cache stores it: a JSON array in a fixed order,
 * {@code [messageId, authorId, text, createdAt, editedAt, partition, offset, replyCount, lastReplyAt]}
 * (times as ISO-8601 instants, absent ones null), so the cache's Lua scripts can replace the text
 * (edit) or the thread summary by index. {@link #writeJson} renders the read API's message object,
 * field for field what the shard path renders.
 *
 * <pre>{@code
 * String raw = new CachedMessage("m1", "bob", "hi", "2026-11-21T10:00:00Z", null, 3, 42, 0, null).encode();
 * CachedMessage m = CachedMessage.decode(raw);
 * }</pre>
 */
public record CachedMessage(String messageId, String authorId, String text, String createdAt, String editedAt,
                            int partition, long offset, int replyCount, String lastReplyAt) {
    private static final JsonFactory JSON = new JsonFactory();

    public CachedMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** The stored form. */
    public String encode() {
        final StringWriter out = new StringWriter(96 + (text == null ? 0 : text.length()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            g.writeString(messageId);
            g.writeString(authorId);
            g.writeString(text);
            g.writeString(createdAt);
            g.writeString(editedAt);
            g.writeNumber(partition);
            g.writeNumber(offset);
            g.writeNumber(replyCount);
            g.writeString(lastReplyAt);
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Reads the stored form (also as re-encoded by Lua's cjson: numbers may come back as
     * {@code 42} or {@code 4.2e+01}-free integers, {@code /} escaped).
     *
     * @throws IllegalArgumentException when {@code raw} is not a stored message
     */
    public static CachedMessage decode(final String raw) {
        try (JsonParser p = JSON.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("not a cached message: " + raw);
            }
            final String id = text(p);
            final String author = text(p);
            final String text = text(p);
            final String created = text(p);
            final String edited = text(p);
            final long partition = number(p);
            final long offset = number(p);
            final long replies = number(p);
            final String lastReply = text(p);
            if (p.nextToken() != JsonToken.END_ARRAY) {
                throw new IllegalArgumentException("not a cached message (extra fields): " + raw);
            }
            return new CachedMessage(id, author, text, created, edited, (int) partition, offset, (int) replies, lastReply);
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException("not a cached message: " + raw, e);
        }
    }

    private static String text(final JsonParser p) throws IOException {
        final JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException("expected a string or null, got " + t);
        }
        return p.getText();
    }

    private static long number(final JsonParser p) throws IOException {
        final JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            return (long) p.getDoubleValue();
        }
        throw new IOException("expected a number, got " + t);
    }

    /** The read API's message object (same fields and order as the shard path). */
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

    private static void writeNullable(final JsonGenerator g, final String field, final String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
