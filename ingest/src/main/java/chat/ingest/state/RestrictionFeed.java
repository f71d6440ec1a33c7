package chat.ingest.state;

import chat.common.kafka.LogEnd;
import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Tells {@link PostViews} which teams had an event that may refuse a later post, read from the
 * log: one consumer thread, every partition of {@code chat.events} assigned (no group, no
 * commits), from the log's end at start. It reads only the record key and the {@code type}
 * header, never the payload. Every type counts as restricting except the additive ones in
 * {@link #NEUTRAL} (a new event type restricts until someone says otherwise).
 *
 * <pre>{@code
 * RestrictionFeed feed = new RestrictionFeed(consumer, Topics.EVENTS, 12, views, Duration.ofMillis(200), 500);
 * feed.start();
 * }</pre>
 */
public final class RestrictionFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestrictionFeed.class);
    private static final long MAX_BACKOFF_MS = 5_000;

    /**
     * Event types that can never turn an accepted post into a refused one: messages and their
     * reactions and markers, creations, joins (a join with another role changes no post's fate).
     */
    static final Set<String> NEUTRAL = Set.of("MessagePosted", "MessageEdited", "MessageDeleted", "ReactionAdded",
            "ReactionRemoved", "ReadMarked", "ChannelTopicChanged", "TeamCreated", "ChannelCreated", "MemberJoined",
            "TeamMemberJoined");

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final int partitions;
    private final PostViews views;
    private final Duration pollTimeout;
    private final int maxPollRecords;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param maxPollRecords the consumer's {@code max.poll.records}: a poll that returns fewer is caught up */
    public RestrictionFeed(final Consumer<byte[], byte[]> consumer, final String topic, final int partitions,
                           final PostViews views, final Duration pollTimeout, final int maxPollRecords) {
        this.consumer = consumer;
        this.topic = topic;
        this.partitions = partitions;
        this.views = views;
        this.pollTimeout = pollTimeout;
        this.maxPollRecords = maxPollRecords;
        this.thread = new Thread(this::run, "ingest-restriction-feed");
        this.thread.setDaemon(true);
    }

    /** The views this feed keeps honest. */
    public PostViews views() {
        return views;
    }

    public void start() {
        thread.start();
    }

    /** Whether an event of this type (the {@code type} header, or null) may refuse a later post. */
    static boolean restricts(final String type) {
        return type == null || !NEUTRAL.contains(type);
    }

    private void run() {
        long backoffMs = 0;
        boolean assigned = false;
        try {
            while (running) {
                try {
                    if (!assigned) {
                        assignAtEnd();
                        assigned = true;
                    }
                    final ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                    backoffMs = 0;
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        if (r.key() != null && restricts(type(r))) {
                            views.restricted(new String(r.key(), StandardCharsets.UTF_8), r.partition(), r.offset());
                        }
                    }
                    views.feedPolled(records.count() < maxPollRecords);
                } catch (WakeupException e) {
                    if (running) {
                        LOG.debug("restriction feed woken up while running; continuing");
                    }
                } catch (KafkaException e) {
                    // Until it polls again the views are not used (every post reads the shard).
                    views.feedStopped();
                    if (e instanceof InvalidOffsetException) {
                        assigned = false; // start again from the end; views loaded before that are dropped
                    }
                    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs == 0 ? 100 : backoffMs * 2);
                    LOG.warn("restriction feed: polling {} failed; posts read the shard until it recovers, retrying in {} ms: {}",
                            topic, backoffMs, e.toString());
                    Thread.sleep(backoffMs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("restriction feed died; every post reads the shard from now on", e);
            throw e;
        } finally {
            views.feedStopped();
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("closing the restriction feed's consumer failed: {}", e.toString());
            }
        }
    }

    /** Assigns every partition from its end now; tells the views where the feed starts. */
    private void assignAtEnd() {
        // views loaded at or after these offsets can be kept
        LogEnd.assignAll(consumer, topic, partitions, Duration.ofSeconds(10)).forEach(views::feedStarted);
    }

    private static String type(final ConsumerRecord<byte[], byte[]> r) {
        final Header h = r.headers().lastHeader(Topics.HEADER_TYPE);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Stops the thread and closes the consumer (on the feed's thread); waits up to 10 s. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
