package chat.search;

import chat.common.config.ChatSettings;
import chat.common.config.CommonFactory.ServiceName;
import chat.common.ids.Ids;
import chat.common.kafka.LogMetadata;
import chat.common.kafka.TeamPartitioner;
import chat.search.index.ChatAnalyzer;
import chat.search.index.EndOffsets;
import chat.search.index.Hit;
import chat.search.index.Indexer;
import chat.search.index.MessageDoc;
import chat.search.index.Page;
import chat.search.index.PartitionIndex;
import chat.search.query.LuceneQueries;
import chat.search.query.QueryException;
import chat.search.query.QueryParser;
import chat.search.query.SearchQuery;
import chat.schemas.Topics;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NRTCachingDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The search-indexer of this process: opens one index per owned partition under
 * {@code chat.search.index-dir}, runs the {@link Indexer} thread, and answers searches with the
 * read-your-writes barrier and the permission filter. Starts with the application context
 * ({@link Context}) when {@code chat.search.index-dir} is set.
 *
 * <pre>{@code
 * SearchService.Answer a = service.search("acme", "bob", "deploy* in:ops", "20", null);
 * }</pre>
 */
@Context
@Requires(property = "chat.search.index-dir")
@Requires(property = "chat.search.enabled", notEquals = "false")
public class SearchService {
    /** Results per page when {@code limit} is absent. */
    public static final int DEFAULT_LIMIT = 20;
    /** Largest {@code limit}. */
    public static final int MAX_LIMIT = 100;
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final ChatSettings chat;
    private final SearchSettings settings;
    private final String clientId;
    private final Analyzer analyzer = new ChatAnalyzer();
    private final Map<Integer, PartitionIndex> indexes = new LinkedHashMap<>();
    private final LongAdder searches = new LongAdder();
    private final LongAdder barrierMicros = new LongAdder();
    private final LongAdder searchMicros = new LongAdder();
    private final LongAdder behind = new LongAdder();
    private LogMetadata log;
    private Indexer indexer;
    private Thread thread;
    private EndOffsets endOffsets;
    private KafkaProducer<byte[], byte[]> dlq;
    private java.util.concurrent.ScheduledExecutorService committer;

    SearchService(final ChatSettings chat, final SearchSettings settings, @Named("service") final ServiceName service) {
        this.chat = chat;
        this.settings = settings;
        this.clientId = service.value() + "-search-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** What a search answered: the JSON body, and where the time went. */
    public record Answer(String json, long barrierMicros, long searchMicros) {
    }

    @PostConstruct
    void start() {
        final long t0 = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, chat.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.startupTimeout().toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.startupTimeout().toMillis()))) {
            log = LogMetadata.describe(admin, Topics.EVENTS, chat.region(), chat.partitions(), settings.startupTimeout());
        } catch (IllegalStateException | KafkaException e) {
            throw new IllegalStateException("search-indexer cannot start: " + e.getMessage() + " (bootstrap="
                    + chat.bootstrapServers() + ")", e);
        }
        for (int p : settings.partitions()) {
            if (p >= log.partitions()) {
                throw new IllegalStateException("chat.search.partitions names partition " + p + " but " + log.topic()
                        + " has " + log.partitions());
            }
        }
        try {
            Files.createDirectories(settings.indexDir());
            for (int p : settings.partitions()) {
                // Small segments written by frequent NRT refreshes stay in RAM until they are merged or
                // committed: no file, mmap and shared-arena close (a JVM-wide handshake) per refresh.
                final Directory dir = new NRTCachingDirectory(FSDirectory.open(settings.indexDir().resolve("p-" + p)), 8, 48);
                indexes.put(p, PartitionIndex.open(dir, p, log.epoch(), analyzer, settings.ramBufferMb()));
            }
        } catch (IOException e) {
            closeIndexes(false);
            throw new UncheckedIOException("search-indexer cannot open its indexes under " + settings.indexDir() + ": " + e, e);
        }
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(consumerProperties("start"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            probe.endOffsets(indexes.keySet().stream().map(p -> new org.apache.kafka.common.TopicPartition(Topics.EVENTS, p)).toList(),
                    settings.startupTimeout()).forEach((tp, end) -> indexes.get(tp.partition()).setReplayBound(end));
        } catch (KafkaException e) {
            LOG.warn("cannot read the log end at start ({}): replays after the last commit check every post", e.toString());
        }
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties("indexer"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        dlq = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        endOffsets = new EndOffsets(new KafkaConsumer<>(consumerProperties("end-offsets"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()), settings.partitions(), settings.barrierTimeout());
        indexer = new Indexer(consumer, dlq, indexes, settings.refreshInterval(),
                Duration.ofMillis(Math.min(50, settings.refreshInterval().toMillis())), settings.maxPollRecords());
        committer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r ->
                Thread.ofPlatform().name("search-committer").daemon(true).unstarted(r));
        committer.scheduleWithFixedDelay(() -> {
            try {
                indexer.commitDirty();
            } catch (IOException | RuntimeException e) {
                LOG.error("search index commit failed (retried in {} ms): {}", settings.commitInterval().toMillis(), e.toString());
            }
        }, settings.commitInterval().toMillis(), settings.commitInterval().toMillis(), TimeUnit.MILLISECONDS);
        thread = Thread.ofPlatform().name("search-indexer").daemon(true).start(() -> {
            try {
                indexer.run();
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        });
        final Map<Integer, Long> resumed = new LinkedHashMap<>();
        indexes.forEach((p, idx) -> resumed.put(p, idx.resumedFrom()));
        LOG.info("search-indexer indexing {} partitions of {} (epoch {}) in {} from offsets {}; started in {} ms; {}",
                indexes.size(), log.topic(), log.epoch(), settings.indexDir(), resumed, (System.nanoTime() - t0) / 1_000_000, settings);
    }

    @PreDestroy
    void stop() {
        if (committer != null) {
            committer.shutdown();
            try {
                committer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (indexer != null) {
            indexer.stop();
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (endOffsets != null) {
            endOffsets.close();
        }
        if (dlq != null) {
            dlq.close(Duration.ofSeconds(5));
        }
        closeIndexes(true);
        LOG.info("search-indexer stopped");
    }

    private void closeIndexes(final boolean commit) {
        for (PartitionIndex idx : indexes.values()) {
            try {
                idx.close(commit);
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing search index of partition {}: {}", idx.partition(), e.toString());
            }
        }
    }

    /** True while the indexing thread runs. */
    public boolean indexing() {
        return thread != null && thread.isAlive();
    }

    /** Why indexing stopped, or null. */
    public Throwable failure() {
        return indexer == null ? null : indexer.failure();
    }

    public SearchSettings settings() {
        return settings;
    }

    /** The partition of {@code team}. */
    public int partitionOf(final String team) {
        return TeamPartitioner.partitionOf(team, log.partitions());
    }

    /** True when this instance indexes {@code partition}. */
    public boolean indexes(final int partition) {
        return indexes.containsKey(partition);
    }

    /** The base URL of the instance owning {@code partition}, or null. */
    public URI routeOf(final int partition) {
        return settings.routes().get(partition);
    }

    /** Checks what can be checked without the index (a forwarding instance refuses bad input itself). */
    public SearchQuery validate(final String team, final String rawQuery, final String rawLimit, final String rawCursor) {
        if (!Ids.isValid(team)) {
            throw new SearchException(400, "INVALID_ID", "teamId must match [A-Za-z0-9_-]{1,64}");
        }
        final SearchQuery q;
        try {
            q = QueryParser.parse(rawQuery);
        } catch (QueryException e) {
            throw new SearchException(400, e.code(), e.getMessage());
        }
        limit(rawLimit);
        if (rawCursor != null) {
            Cursor.decode(rawCursor, team, q.canonical());
        }
        return q;
    }

    /**
     * Searches {@code team} as {@code user}: waits until the index shows every event in the log
     * when the search began (bounded), then ranks the matching messages of the channels the user
     * may read now. The partition must be indexed here ({@link #indexes}).
     */
    public Answer search(final String team, final String user, final String rawQuery, final String rawLimit,
                         final String rawCursor) {
        final SearchQuery q = validate(team, rawQuery, rawLimit, rawCursor);
        final int limit = limit(rawLimit);
        final Cursor.Point after = rawCursor == null ? null : Cursor.decode(rawCursor, team, q.canonical());
        final int partition = partitionOf(team);
        final PartitionIndex idx = indexes.get(partition);
        if (idx == null) {
            throw new SearchException(503, "SEARCH_PARTITION_UNAVAILABLE", "partition " + partition
                    + " of team " + team + " is not indexed by this instance", 1);
        }
        final long t0 = System.nanoTime();
        final long generation = idx.generation();
        barrier(idx, t0);
        final long t1 = System.nanoTime();
        if (!idx.acl().isTeamMember(team, user)) {
            throw new SearchException(404, "TEAM_NOT_FOUND", "no team " + team);
        }
        final Query query;
        try {
            query = LuceneQueries.build(q, analyzer, team, idx.acl().readableChannels(team, user));
        } catch (QueryException e) {
            throw new SearchException(400, e.code(), e.getMessage());
        }
        final Page page;
        try {
            page = idx.search(query, after == null ? 0 : after.score(), after == null ? -1 : after.offset(), limit);
        } catch (IOException e) {
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "the index of partition " + partition + " cannot be read: " + e, 1);
        }
        if (idx.generation() != generation) {
            behind.increment();
            throw new SearchException(503, "SEARCH_INDEX_BEHIND", "the index of partition " + partition
                    + " is being rebuilt from the log; retry shortly", 1);
        }
        final long t2 = System.nanoTime();
        searches.increment();
        barrierMicros.add((t1 - t0) / 1000);
        searchMicros.add((t2 - t1) / 1000);
        return new Answer(render(team, q, idx, page), (t1 - t0) / 1000, (t2 - t1) / 1000);
    }

    private void barrier(final PartitionIndex idx, final long t0) {
        final long deadline = t0 + settings.barrierTimeout().toNanos();
        final long target;
        try {
            target = endOffsets.observedAfterNow().get(settings.barrierTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .getOrDefault(idx.partition(), 0L);
        } catch (TimeoutException | ExecutionException e) {
            behind.increment();
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "cannot read the end of " + Topics.EVENTS + " partition "
                    + idx.partition() + " within " + settings.barrierTimeout().toMillis() + " ms: " + e, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "interrupted", 1);
        }
        try {
            if (!idx.awaitSearchable(target, deadline)) {
                behind.increment();
                throw new SearchException(503, "SEARCH_INDEX_BEHIND", "the index of partition " + idx.partition()
                        + " has applied up to offset " + idx.appliedNext() + " but the log end is " + target
                        + "; not caught up within " + settings.barrierTimeout().toMillis() + " ms", 1);
            }
        } catch (IOException e) {
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "cannot refresh the index of partition " + idx.partition() + ": " + e, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "interrupted", 1);
        }
    }

    private static int limit(final String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            final int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new SearchException(400, "INVALID_LIMIT", "limit must be 1.." + MAX_LIMIT);
    }

    private static String render(final String team, final SearchQuery q, final PartitionIndex idx, final Page page) {
        final StringWriter out = new StringWriter(256 + page.hits().size() * 512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("results");
            for (Hit h : page.hits()) {
                final MessageDoc m = h.message();
                g.writeStartObject();
                g.writeStringField("messageId", m.messageId());
                g.writeStringField("channelId", m.channel());
                g.writeStringField("authorId", m.author());
                g.writeStringField("text", m.text());
                g.writeStringField("snippet", h.snippet());
                g.writeStringField("createdAt", Instant.ofEpochMilli(m.created()).toString());
                if (m.edited() > 0) {
                    g.writeStringField("editedAt", Instant.ofEpochMilli(m.edited()).toString());
                } else {
                    g.writeNullField("editedAt");
                }
                if (m.threadRoot() != null) {
                    g.writeStringField("threadRootId", m.threadRoot());
                } else {
                    g.writeNullField("threadRootId");
                }
                g.writeNumberField("replyCount", m.replies());
                g.writeNumberField("score", h.score());
                g.writeObjectFieldStart("position");
                g.writeStringField("epoch", idx.epoch());
                g.writeNumberField("partition", idx.partition());
                g.writeNumberField("offset", m.offset());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("total", page.total());
            g.writeBooleanField("totalExact", page.totalExact());
            if (page.more()) {
                g.writeStringField("nextCursor", Cursor.encode(team, q.canonical(), page.lastScore(), page.lastOffset()));
            } else {
                g.writeNullField("nextCursor");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Wipes {@code partition}'s index and replays it from offset 0; completes when the wipe is done. */
    public CompletableFuture<Void> rebuild(final int partition) {
        if (!indexes.containsKey(partition)) {
            throw new SearchException(404, "PARTITION_NOT_INDEXED_HERE", "partition " + partition + " is not indexed by this instance");
        }
        LOG.info("search partition {}: rebuild from the log requested", partition);
        return indexer.requestRebuild(partition);
    }

    /** The checksum of {@code partition}'s index once it has caught up with the log end (waits up to {@code wait}). */
    public PartitionIndex.Checksum checksum(final int partition, final Duration wait) {
        final PartitionIndex idx = indexes.get(partition);
        if (idx == null) {
            throw new SearchException(404, "PARTITION_NOT_INDEXED_HERE", "partition " + partition + " is not indexed by this instance");
        }
        final long t0 = System.nanoTime();
        try {
            final long target = endOffsets.observedAfterNow().get(wait.toMillis(), TimeUnit.MILLISECONDS).getOrDefault(partition, 0L);
            if (!idx.awaitSearchable(target, t0 + wait.toNanos())) {
                throw new SearchException(503, "SEARCH_INDEX_BEHIND", "partition " + partition + " at " + idx.appliedNext()
                        + ", log end " + target, 1);
            }
            return idx.checksum();
        } catch (TimeoutException | ExecutionException | IOException e) {
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "cannot checksum partition " + partition + ": " + e, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SearchException(503, "SEARCH_UNAVAILABLE", "interrupted", 1);
        }
    }

    /** Per-partition progress and the barrier's cost, as JSON. */
    public String status() {
        Map<Integer, Long> ends;
        try {
            ends = endOffsets.observedAfterNow().get(settings.barrierTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            ends = Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ends = Map.of();
        }
        final StringWriter out = new StringWriter(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("epoch", log.epoch());
            g.writeBooleanField("indexing", thread != null && thread.isAlive());
            final Throwable failure = indexer.failure();
            if (failure != null) {
                g.writeStringField("failure", failure.toString());
            }
            g.writeNumberField("eventsApplied", indexer.applied());
            g.writeNumberField("eventsDeadLettered", indexer.skipped());
            final long n = searches.sum();
            g.writeNumberField("searches", n);
            g.writeNumberField("searchesRefusedBehind", behind.sum());
            g.writeNumberField("meanBarrierMicros", n == 0 ? 0 : barrierMicros.sum() / n);
            g.writeNumberField("meanSearchMicros", n == 0 ? 0 : searchMicros.sum() / n);
            g.writeNumberField("endOffsetFetches", endOffsets.fetches());
            g.writeNumberField("meanEndOffsetFetchMicros", endOffsets.meanFetchMicros());
            g.writeArrayFieldStart("partitions");
            for (PartitionIndex idx : indexes.values()) {
                g.writeStartObject();
                g.writeNumberField("partition", idx.partition());
                g.writeNumberField("appliedNext", idx.appliedNext());
                g.writeNumberField("searchableNext", idx.searchableNext());
                g.writeNumberField("committedNext", idx.committedNext());
                g.writeNumberField("resumedFrom", idx.resumedFrom());
                final Long end = ends.get(idx.partition());
                if (end != null) {
                    g.writeNumberField("logEnd", end);
                    g.writeNumberField("lag", Math.max(0, end - idx.appliedNext()));
                }
                g.writeNumberField("documents", idx.numDocs());
                g.writeNumberField("rebuilds", idx.generation());
                final long[] cs = idx.commitStats();
                g.writeNumberField("commits", cs[0]);
                g.writeNumberField("meanCommitMillis", cs[0] == 0 ? 0 : cs[1] / cs[0] / 1000);
                g.writeNumberField("maxCommitMillis", cs[2] / 1000);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("routes");
            for (Map.Entry<Integer, URI> r : new java.util.TreeMap<>(settings.routes()).entrySet()) {
                g.writeStringField(Integer.toString(r.getKey()), r.getValue().toString());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private Properties consumerProperties(final String role) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, chat.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + role);
        // No group: partitions are assign()ed, the resume point is each index's own commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        return p;
    }

    private Properties producerProperties() {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, chat.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-dlq");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }
}
