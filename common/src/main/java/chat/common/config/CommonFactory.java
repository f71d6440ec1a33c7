package chat.common.config;

import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Builds the shared settings, the shard map and the shard pools from configuration. */
@Factory
public class CommonFactory {

    @Singleton
    ChatSettings chatSettings(@Value("${chat.region:dev}") final String region,
                              @Value("${chat.kafka.bootstrap-servers}") final String bootstrap,
                              @Value("${chat.kafka.partitions:12}") final int partitions,
                              @Nullable @Property(name = "chat.shards.jdbc-urls") final List<String> urls,
                              @Value("${chat.shards.user:chat}") final String user,
                              @Value("${chat.shards.password:}") final String password,
                              @Value("${chat.shards.pool-size:8}") final int poolSize,
                              @Value("${chat.shards.map-file:}") final String mapFile) {
        return new ChatSettings(region, bootstrap, partitions, urls, user, password, poolSize, mapFile);
    }

    @Singleton
    ShardMap shardMap(final ChatSettings settings) {
        final ShardMap map;
        if (settings.shardMapFile().isEmpty()) {
            map = ShardMap.modulo(settings.partitions(), Math.max(1, settings.shardCount()));
        } else {
            try {
                map = ShardMap.parse(Files.readString(Path.of(settings.shardMapFile())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read shard map " + settings.shardMapFile(), e);
            }
        }
        if (map.partitions() != settings.partitions()) {
            throw new IllegalStateException("shard map covers " + map.partitions() + " partitions but chat.events has "
                    + settings.partitions());
        }
        if (settings.shardCount() > 0 && map.shards() != settings.shardCount()) {
            throw new IllegalStateException("shard map uses " + map.shards() + " shards but " + settings.shardCount()
                    + " JDBC URLs are configured");
        }
        return map;
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "chat.shards.jdbc-urls", pattern = ".*\\S.*")
    ShardDataSources shardDataSources(final ChatSettings settings, final ShardMap map,
                                      @Named("service") final ServiceName service) {
        return ShardDataSources.open(map, settings.shardJdbcUrls(), settings.shardUser(), settings.shardPassword(),
                settings.shardPoolSize(), service.value());
    }

    @Singleton
    @Named("service")
    ServiceName serviceName(@Value("${micronaut.application.name:chat}") final String name) {
        return new ServiceName(name);
    }

    /**
     * The process's one gate to Redis (caches, limits, presence), when {@code redis.uri} is set.
     * Commands time out after {@code chat.redis.timeout-ms} (default 200).
     */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(beans = io.lettuce.core.RedisClient.class)
    chat.common.redis.RedisGate redisGate(final io.lettuce.core.RedisClient client,
                                          @Value("${chat.redis.timeout-ms:200}") final long timeoutMs) {
        return new chat.common.redis.RedisGate(client, java.time.Duration.ofMillis(timeoutMs), java.time.Duration.ofSeconds(1));
    }

    /** The wall clock every service stamps events and measures with; tests replace it. */
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The running service's name, used in pool names and client ids. */
    public record ServiceName(String value) {
    }
}
