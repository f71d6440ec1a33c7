package chat.ctl;

import chat.common.shard.ShardMap;
import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.ReactionAdded;
import chat.events.ReadMarked;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.schemas.EventCodec;
import chat.schemas.Events;
import chat.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Appends realistic, valid event sequences straight to {@code chat.events} (real envelopes through
 * {@link EventCodec}, key = team, the platform's headers) for the benchmarks: per team a
 * TeamCreated, its members, channels and channel members, then a mix of 90% posts (2% of them
 * thread replies), 4% reactions, 3% read markers, 2% edits and 1% deletes, round-robin over teams.
 * Teams are chosen so that their partition (the default partitioner: murmur2 of the key) belongs
 * to the wanted shards.
 *
 * <pre>{@code
 * try (BenchSeeder s = new BenchSeeder(bootstrap)) {
 *     List<String> teams = BenchSeeder.teamsOn(map, Set.of(2)::contains, "bench-t", 24);
 *     s.setUp(teams);
 *     s.append(teams, 1_000_000);
 * }
 * }</pre>
 */
final class BenchSeeder implements AutoCloseable {
    static final int USERS = 8;
    static final int CHANNELS = 5;
    static final int SETUP_EVENTS_PER_TEAM = 1 + USERS + CHANNELS + USERS * CHANNELS;
    private static final String TEXT = "a benchmark message of about one hundred bytes, like a typical line of chat, with some words ";

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Instant base = Instant.now().minusSeconds(86_400);
    private long sequence;
    private final Map<String, String[]> lastMessage = new java.util.HashMap<>();

    BenchSeeder(final String bootstrapServers) {
        producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "chatctl-bench-seeder"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    static int partitionOf(final String team, final int partitions) {
        return Utils.toPositive(Utils.murmur2(team.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** {@code count} team ids {@code <prefix><i>} whose partition belongs to a shard accepted by {@code onShard}. */
    static List<String> teamsOn(final ShardMap map, final java.util.function.IntPredicate onShard, final String prefix,
                                final int count) {
        final List<String> teams = new ArrayList<>();
        for (int i = 0; teams.size() < count; i++) {
            final String team = prefix + i;
            if (onShard.test(map.shardOf(partitionOf(team, map.partitions())))) {
                teams.add(team);
            }
        }
        return teams;
    }

    /** The setup sequence of every team: team, members, channels, channel members. */
    void setUp(final List<String> teams) {
        for (String team : teams) {
            send(team, TeamCreated.newBuilder().setName("team " + team).build(), "u0");
            for (int u = 0; u < USERS; u++) {
                send(team, TeamMemberJoined.newBuilder().setUserId("u" + u).setRole(u == 0 ? "admin" : "member").build(), "u0");
            }
            for (int c = 0; c < CHANNELS; c++) {
                send(team, ChannelCreated.newBuilder().setChannelId("c" + c).setName("channel " + c).setPrivate$(false)
                        .setTopic(null).build(), "u0");
            }
            for (int c = 0; c < CHANNELS; c++) {
                for (int u = 0; u < USERS; u++) {
                    send(team, MemberJoined.newBuilder().setChannelId("c" + c).setUserId("u" + u).setInvitedBy(null).build(),
                            "u" + u);
                }
            }
            lastMessage.put(team, new String[CHANNELS]);
        }
    }

    /** Appends {@code events} events of the mix, round-robin over the (set up) teams. */
    void append(final List<String> teams, final long events) {
        for (long i = 0; i < events; i++) {
            final String team = teams.get((int) (i % teams.size()));
            final int channel = (int) ((i / teams.size()) % CHANNELS);
            final String user = "u" + (i % USERS);
            final String[] last = lastMessage.computeIfAbsent(team, t -> new String[CHANNELS]);
            final String target = last[channel];
            final int kind = (int) (i % 100);
            final String channelId = "c" + channel;
            if (target == null || kind < 90) {
                final String id = UUID.randomUUID().toString();
                final boolean reply = target != null && kind % 50 == 1;
                send(team, MessagePosted.newBuilder().setChannelId(channelId).setMessageId(id).setText(TEXT + i)
                        .setThreadRootId(reply ? target : null).setClientMessageId(null).build(), user);
                if (!reply) {
                    last[channel] = id;
                }
            } else if (kind < 94) {
                send(team, ReactionAdded.newBuilder().setChannelId(channelId).setMessageId(target).setEmoji(":+" + (kind % 3) + ":")
                        .build(), user);
            } else if (kind < 97) {
                send(team, ReadMarked.newBuilder().setChannelId(channelId).setMessageId(target).build(), user);
            } else if (kind < 99) {
                send(team, MessageEdited.newBuilder().setChannelId(channelId).setMessageId(target).setText("edited " + i).build(), user);
            } else {
                send(team, MessageDeleted.newBuilder().setChannelId(channelId).setMessageId(target).build(), user);
                last[channel] = null;
            }
        }
    }

    /** Posts one message (live traffic). */
    void post(final String team, final String channelId, final String user, final String text) {
        send(team, MessagePosted.newBuilder().setChannelId(channelId).setMessageId(UUID.randomUUID().toString()).setText(text)
                .setThreadRootId(null).setClientMessageId(null).build(), user);
    }

    private void send(final String team, final Object payload, final String actor) {
        final Exception failed = failure.get();
        if (failed != null) {
            throw new CtlException("seeding failed: " + failed.getMessage(), failed);
        }
        final EventEnvelope e = EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setTeamId(team)
                .setActorId(actor).setOccurredAt(base.plusMillis(sequence++)).setSchemaVersion(EventCodec.CURRENT_VERSION)
                .setPayload(payload).build();
        final byte[] key = team.getBytes(StandardCharsets.UTF_8);
        final ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.EVENTS, key, EventCodec.encode(e));
        r.headers().add(Topics.HEADER_TEAM, key);
        final String channel = Events.channelOf(e);
        if (channel != null) {
            r.headers().add(Topics.HEADER_CHANNEL, channel.getBytes(StandardCharsets.UTF_8));
        }
        r.headers().add(Topics.HEADER_TYPE, Events.typeOf(e).getBytes(StandardCharsets.UTF_8));
        producer.send(r, (md, ex) -> {
            if (ex != null) {
                failure.compareAndSet(null, ex);
            }
        });
    }

    /** Waits for every append to be acknowledged. */
    void flush() {
        producer.flush();
        final Exception failed = failure.get();
        if (failed != null) {
            throw new CtlException("seeding failed: " + failed.getMessage(), failed);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
