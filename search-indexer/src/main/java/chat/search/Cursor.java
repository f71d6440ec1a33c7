package chat.search;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * The opaque cursor of a result page: the last hit's score and offset (Lucene's {@code searchAfter}
 * point), bound to the team and the query that produced it so it cannot be replayed against
 * another search. Base64url of {@code version(1) score(4) offset(8) binding(4)}.
 *
 * <pre>{@code
 * String c = Cursor.encode("acme", q.canonical(), 3.2f, 1041);
 * Cursor.Point p = Cursor.decode(c, "acme", q.canonical()); // INVALID_CURSOR when tampered or foreign
 * }</pre>
 */
public final class Cursor {
    private static final byte VERSION = 1;

    private Cursor() {
    }

    /** Where the next page starts. */
    public record Point(float score, long offset) {
    }

    public static String encode(final String team, final String query, final float score, final long offset) {
        final ByteBuffer b = ByteBuffer.allocate(17);
        b.put(VERSION).putFloat(score).putLong(offset).putInt(binding(team, query));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** The point of {@code cursor}; {@link SearchException} 400 {@code INVALID_CURSOR} when it is not one of ours for this search. */
    public static Point decode(final String cursor, final String team, final String query) {
        final byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (bytes.length != 17 || bytes[0] != VERSION) {
            throw invalid();
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes, 1, 16);
        final float score = b.getFloat();
        final long offset = b.getLong();
        if (b.getInt() != binding(team, query) || offset < 0 || Float.isNaN(score)) {
            throw invalid();
        }
        return new Point(score, offset);
    }

    private static SearchException invalid() {
        return new SearchException(400, "INVALID_CURSOR", "cursor must be the nextCursor of a previous page of this same search");
    }

    private static int binding(final String team, final String query) {
        final CRC32C crc = new CRC32C();
        crc.update((team + "\u0000" + query).getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
