package chat.ingest.command;

import chat.common.redis.RedisGate;
import chat.ingest.domain.Command;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Claims close the window in which two service instances (or one instance, before the projector
 * caught up) both accept a command whose precondition the other just changed: creating the same
 * team or channel id, or appending the same retried post (same clientMessageId) twice. Before
 * appending such a command, the instance takes a claim with Redis {@code SET NX}; the loser
 * answers as if the state already showed the winner's write. The claim expires after
 * {@code ttl} (by then the read model shows the write, or the append failed and the id is free
 * again) and is released at once when the append fails.
 *
 * <p>Without Redis, claims are granted (the read model check alone decides), which is the
 * behaviour of a single instance.
 */
public final class Claims {
    /** A held claim; {@link #release()} frees it (only if still ours). */
    public interface Claim {
        void release();
    }

    private static final Claim NONE = () -> { };

    private final RedisGate redis;
    private final Duration ttl;

    /** @param redis the gate, or {@code null} when no Redis is configured */
    public Claims(final RedisGate redis, final Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    /** The claim key of a command, or empty when the command needs none. */
    static Optional<String> keyOf(final Command command) {
        return switch (command) {
            case Command.CreateTeam c -> Optional.of("claim:team:" + c.teamId());
            case Command.CreateChannel c -> Optional.of("claim:channel:" + c.teamId() + ":" + c.channelId());
            case Command.PostMessage c when c.clientMessageId() != null ->
                    Optional.of("claim:message:" + c.teamId() + ":" + c.messageId());
            default -> Optional.empty();
        };
    }

    /**
     * Takes the claim of {@code command}.
     *
     * @return the claim, or empty when another writer holds it
     */
    public Optional<Claim> take(final Command command) {
        final Optional<String> key = keyOf(command);
        if (key.isEmpty() || redis == null) {
            return Optional.of(NONE);
        }
        final var commands = redis.commands();
        if (commands.isEmpty()) {
            return Optional.of(NONE);
        }
        final String token = UUID.randomUUID().toString();
        try {
            final String ok = commands.get().set(key.get(), token, SetArgs.Builder.nx().px(ttl.toMillis()));
            if (!"OK".equals(ok)) {
                return Optional.empty();
            }
        } catch (RedisException e) {
            return Optional.of(NONE);
        }
        return Optional.of(() -> redis.commands().ifPresent(r -> {
            try {
                if (token.equals(r.get(key.get()))) {
                    r.del(key.get());
                }
            } catch (RedisException e) {
                // expires by itself
            }
        }));
    }
}
