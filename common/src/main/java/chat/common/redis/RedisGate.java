package chat.common.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Redis as a cache and limiter must never take the service down with it: this gate connects
 * lazily, fails fast while Redis is away (commands are rejected instead of queued, each command
 * has a short timeout), retries the connection at most once per {@code retryEvery}, and lets the
 * client reconnect by itself when Redis returns. Callers treat an empty answer or a
 * {@link RedisException} as "no Redis right now" and carry on without it.
 *
 * <pre>{@code
 * gate.commands().ifPresent(redis -> redis.incr("k"));
 * }</pre>
 */
public final class RedisGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisGate.class);
    private static final RedisCodec<String, byte[]> BYTES = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisClient client;
    private final Duration retryEvery;
    private final Lazy<String> strings;
    private final Lazy<byte[]> bytes;

    public RedisGate(final RedisClient client, final Duration commandTimeout, final Duration retryEvery) {
        this.client = client;
        this.retryEvery = retryEvery;
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        client.setDefaultTimeout(commandTimeout);
        this.strings = new Lazy<>(StringCodec.UTF8, "");
        this.bytes = new Lazy<>(BYTES, " (byte values)");
    }

    /** Synchronous commands when Redis is (or just became) reachable, else empty. */
    public Optional<RedisCommands<String, String>> commands() {
        return strings.commands();
    }

    /**
     * Like {@link #commands()} on a connection of its own whose values are raw bytes (keys are
     * UTF-8 strings): for answers passed on as they are (no decoding into Java strings), and so
     * that their traffic does not queue behind other users of Redis on one connection.
     */
    public Optional<RedisCommands<String, byte[]>> byteCommands() {
        return bytes.commands();
    }

    /** One lazily opened connection with the gate's fail-fast and retry rules. */
    private final class Lazy<V> {
        private final RedisCodec<String, V> codec;
        private final String what;
        private volatile StatefulRedisConnection<String, V> connection;
        private volatile long nextAttemptNanos;

        Lazy(final RedisCodec<String, V> codec, final String what) {
            this.codec = codec;
            this.what = what;
        }

        Optional<RedisCommands<String, V>> commands() {
            StatefulRedisConnection<String, V> c = connection;
            if (c != null) {
                return c.isOpen() ? Optional.of(c.sync()) : Optional.empty();
            }
            synchronized (this) {
                c = connection;
                if (c != null) {
                    return Optional.of(c.sync());
                }
                if (System.nanoTime() < nextAttemptNanos) {
                    return Optional.empty();
                }
                try {
                    connection = client.connect(codec);
                    LOG.info("connected to Redis{}", what);
                    return Optional.of(connection.sync());
                } catch (RedisException e) {
                    nextAttemptNanos = System.nanoTime() + retryEvery.toNanos();
                    LOG.warn("Redis unreachable, carrying on without it (next attempt in {} ms): {}", retryEvery.toMillis(),
                            e.getMessage());
                    return Optional.empty();
                }
            }
        }

        void close() {
            final StatefulRedisConnection<String, V> c = connection;
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    public void close() {
        strings.close();
        bytes.close();
    }
}
