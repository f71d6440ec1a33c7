package chat.ctl;

import chat.common.shard.ShardMap;
import chat.common.shard.ShardMapSwitch;
import chat.common.shard.ShardRedirects;
import chat.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A connection to the running platform: Kafka (admin), the shard map, and each shard's current
 * database (configured URL, then every published redirect followed).
 */
public final class Platform implements AutoCloseable {
    /** SQLState of a missing table. */
    private static final String UNDEFINED_TABLE = "42P01";
    private final String bootstrapServers;
    private final Admin admin;
    private final int partitions;
    private final ShardMap map;
    private final List<String> configuredUrls;
    /** The current databases of the map the configuration names, when a live reshard switched away from it. */
    private final List<String> switchedFrom;
    private final String user;
    private final String password;

    private Platform(final String bootstrapServers, final Admin admin, final int partitions, final ShardMap map,
                     final List<String> configuredUrls, final String user, final String password) {
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
        this.partitions = partitions;
        this.user = user;
        this.password = password;
        // Follow live reshards (ShardMapSwitch) published in the configured shards, like the services do.
        ShardMap m = map;
        List<String> urls = configuredUrls;
        List<String> from = List.of();
        for (int hop = 0; hop < 64; hop++) {
            final List<String> current = new ArrayList<>();
            for (int s = 0; s < urls.size(); s++) {
                try {
                    current.add(follow(urls.get(s), s));
                } catch (CtlException e) {
                    current.add(urls.get(s)); // a shard that is down: the others tell the switch
                }
            }
            final Optional<ShardMapSwitch.Switch> sw = newestSwitch(current);
            if (sw.isEmpty() || sw.get().version() <= m.version()) {
                break;
            }
            if (sw.get().map().partitions() != partitions) {
                throw new CtlException("shard map v" + sw.get().version() + " published in " + current + " covers "
                        + sw.get().map().partitions() + " partitions but " + Topics.EVENTS + " has " + partitions);
            }
            from = List.copyOf(current);
            m = sw.get().map();
            urls = sw.get().jdbcUrls();
        }
        this.map = m;
        this.configuredUrls = urls;
        this.switchedFrom = from;
    }

    /** The newest switch published in any of {@code urls} (unreachable ones are skipped). */
    private Optional<ShardMapSwitch.Switch> newestSwitch(final List<String> urls) {
        Optional<ShardMapSwitch.Switch> best = Optional.empty();
        CtlException failure = null;
        int reached = 0;
        for (String url : urls) {
            try (Connection c = open(url)) {
                reached++;
                final Optional<ShardMapSwitch.Switch> sw = ShardMapSwitch.read(c);
                if (sw.isPresent() && (best.isEmpty() || sw.get().version() > best.get().version())) {
                    best = sw;
                }
            } catch (SQLException | CtlException e) {
                failure = new CtlException("cannot read the shard map switch at " + url + ": " + e.getMessage(), e);
            }
        }
        if (reached == 0 && failure != null) {
            throw failure;
        }
        return best;
    }

    /**
     * When the configured map was switched away from by a live reshard: the databases of that old map
     * (they hold the published switch), else empty.
     */
    public List<String> switchedFrom() {
        return switchedFrom;
    }

    static Platform connect(final String bootstrap, final List<String> urls, final String user, final String password,
                            final String mapFile) {
        final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
        try {
            final int partitions = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get(20, TimeUnit.SECONDS)
                    .get(Topics.EVENTS).partitions().size();
            ShardMap map = null;
            final Path file = Path.of(mapFile);
            if (Files.exists(file)) {
                map = ShardMap.parse(Files.readString(file).trim());
            }
            List<String> configured = urls.stream().map(String::trim).filter(u -> !u.isEmpty()).toList();
            if (map == null) {
                if (configured.isEmpty()) {
                    throw new CtlException("no shard map file (" + mapFile + ") and no --jdbc-urls: cannot tell the shards");
                }
                map = ShardMap.modulo(partitions, configured.size());
            }
            if (configured.isEmpty()) {
                final List<String> derived = new ArrayList<>();
                for (int s = 0; s < map.shards(); s++) {
                    derived.add("jdbc:postgresql://127.0.0.1:15432/chat_shard_" + s);
                }
                configured = derived;
            }
            if (map.partitions() != partitions) {
                throw new CtlException("the shard map covers " + map.partitions() + " partitions but " + Topics.EVENTS
                        + " has " + partitions);
            }
            if (map.shards() != configured.size()) {
                throw new CtlException("the shard map uses " + map.shards() + " shards but " + configured.size()
                        + " JDBC URLs are given");
            }
            return new Platform(bootstrap, admin, partitions, map, List.copyOf(configured), user, password);
        } catch (ExecutionException | TimeoutException e) {
            admin.close();
            throw new CtlException("cannot describe " + Topics.EVENTS + " on Kafka at " + bootstrap + ": " + e, e);
        } catch (InterruptedException e) {
            admin.close();
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted", e);
        } catch (IOException e) {
            admin.close();
            throw new CtlException("cannot read the shard map " + mapFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int partitions() {
        return partitions;
    }

    public ShardMap map() {
        return map;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The URL the services are configured with for {@code shard}. */
    public String configuredUrl(final int shard) {
        return configuredUrls.get(shard);
    }

    /** The database shard {@code shard} lives in now: the configured URL with every redirect followed. */
    public String currentUrl(final int shard) {
        return follow(configuredUrls.get(shard), shard);
    }

    private String follow(final String configured, final int shard) {
        String url = configured;
        for (int hop = 0; hop < 64; hop++) {
            final Optional<ShardRedirects.Redirect> r;
            try (Connection c = open(url)) {
                r = ShardRedirects.read(c);
            } catch (SQLException e) {
                throw new CtlException("cannot read the redirect of shard " + shard + " at " + url + ": " + e.getMessage(), e);
            }
            if (r.isEmpty()) {
                return url;
            }
            url = r.get().targetUrl();
        }
        throw new CtlException("redirect loop for shard " + shard + " starting at " + configured);
    }

    /** Opens a connection to {@code url} with the shard credentials. */
    public Connection open(final String url) {
        return Pg.open(url, user, password);
    }

    /** partition -> log end offset (the next offset to be written) of every partition of chat.events. */
    public Map<Integer, Long> logEnd() {
        final Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            spec.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
        }
        try {
            final Map<Integer, Long> out = new TreeMap<>();
            admin.listOffsets(spec).all().get(20, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new CtlException("cannot list the end offsets of " + Topics.EVENTS + " at " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted", e);
        }
    }

    /**
     * partition -> next_offset of the checkpoint table of the database at {@code url} (absent
     * partitions: 0). Empty for a database without the read model yet: a run killed between
     * creating a target database and migrating it left one, and the rerun resumes it.
     */
    public Map<Integer, Long> checkpoints(final String url) {
        try (Connection c = open(url)) {
            return checkpoints(c);
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                return new TreeMap<>();
            }
            throw new CtlException("cannot read checkpoints at " + url + ": " + e.getMessage(), e);
        }
    }

    static Map<Integer, Long> checkpoints(final Connection c) throws SQLException {
        final Map<Integer, Long> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM projection_checkpoint");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return out;
    }

    @Override
    public void close() {
        admin.close();
    }
}
