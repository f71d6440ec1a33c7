package chat.ctl;

import picocli.CommandLine.Option;

import java.util.List;

/**
 * Where the platform is. Defaults fit {@code ./chat dev}; each option also reads an environment
 * variable named like the service configuration key.
 */
public final class PlatformOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            defaultValue = "${env:CHAT_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}",
            description = "Kafka bootstrap servers (env CHAT_KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--jdbc-urls", split = ",", paramLabel = "URL",
            defaultValue = "${env:CHAT_SHARDS_JDBC_URLS}",
            description = "Shard JDBC URLs in shard order, as configured in the services (env CHAT_SHARDS_JDBC_URLS)."
                    + " Default: jdbc:postgresql://127.0.0.1:15432/chat_shard_<n> for every shard of the map."
                    + " Redirects published by a rebuild are followed.")
    List<String> jdbcUrls;

    @Option(names = "--db-user", defaultValue = "${env:CHAT_SHARDS_USER:-postgres}",
            description = "Shard database user (env CHAT_SHARDS_USER; default ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--db-password", defaultValue = "${env:CHAT_SHARDS_PASSWORD:-}", arity = "0..1",
            description = "Shard database password (env CHAT_SHARDS_PASSWORD; default empty).")
    String password;

    @Option(names = "--shard-map", paramLabel = "FILE",
            defaultValue = "${env:CHAT_SHARDS_MAP_FILE:-.chat-data/shard-map.json}",
            description = "Shard map JSON (env CHAT_SHARDS_MAP_FILE; default ${DEFAULT-VALUE});"
                    + " when the file does not exist: partition mod shard count.")
    String shardMap;

    /** The shard map file option as given. */
    String shardMap() {
        return shardMap;
    }

    /** These options as command-line arguments, to run another command against the same platform. */
    List<String> asArguments() {
        final List<String> args = new java.util.ArrayList<>(List.of("--bootstrap-servers", bootstrapServers, "--db-user", user,
                "--shard-map", shardMap));
        if (jdbcUrls != null && !jdbcUrls.isEmpty()) {
            args.add("--jdbc-urls");
            args.add(String.join(",", jdbcUrls));
        }
        if (password != null && !password.isEmpty()) {
            args.add("--db-password=" + password);
        }
        return args;
    }

    /** Connects (Kafka admin, shard map, redirects); the caller closes it. */
    public Platform connect() {
        return Platform.connect(bootstrapServers, jdbcUrls == null ? List.of() : jdbcUrls, user,
                password == null ? "" : password, shardMap);
    }
}
