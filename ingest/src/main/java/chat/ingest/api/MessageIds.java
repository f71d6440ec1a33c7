package chat.ingest.api;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Message ids: time-ordered UUIDv7 for ordinary posts; for posts that carry a clientMessageId,
 * a name-based UUID of (team, author, clientMessageId), so a retried post names the same message
 * and the read model stores it once.
 */
final class MessageIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private MessageIds() {
    }

    static String newId(final long nowMs) {
        final long rand = RANDOM.nextLong();
        final long msb = (nowMs << 16) | 0x7000L | ((rand >>> 52) & 0x0FFFL);
        final long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    static String forClientMessage(final String teamId, final String authorId, final String clientMessageId) {
        final String name = teamId + '\n' + authorId + '\n' + clientMessageId;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
