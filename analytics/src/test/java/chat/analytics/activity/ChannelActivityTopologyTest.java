package chat.analytics.activity;

import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.ReactionAdded;
import chat.schemas.EventCodec;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelActivityTopologyTest {
    private static final Instant H10 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant H11 = Instant.parse("2026-11-21T11:00:00Z");
    private static final Instant H12 = Instant.parse("2026-11-21T12:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(10);

    @TempDir
    Path stateDir;

    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    private final DecodeFailures failures = new DecodeFailures();
    private TestInputTopic<String, byte[]> in;
    private TestOutputTopic<String, String> out;

    @AfterEach
    void close() {
        drivers.forEach(TopologyTestDriver::close);
    }

    private void start(final ActivitySettings settings) {
        final Topology topology = ChannelActivityTopology.build(ActivityTopics.defaults(), settings, failures);
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "activity-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("d" + drivers.size()).toString());
        // Window-close emission is throttled by wall-clock time (default 1 s); the driver's clock does not move.
        p.put("__emit.interval.ms.kstreams.windowed.aggregation__", 0L);
        final TopologyTestDriver driver = new TopologyTestDriver(topology, p);
        drivers.add(driver);
        in = driver.createInputTopic("chat.events", new StringSerializer(), new ByteArraySerializer());
        out = driver.createOutputTopic(ActivityTopics.CHANNEL_ACTIVITY, new StringDeserializer(), new StringDeserializer());
    }

    private void start() {
        start(new ActivitySettings(GRACE, true));
    }

    // ---- events ----
    private static byte[] envelope(final String team, final Instant at, final Object payload) {
        return EventCodec.encode(EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setTeamId(team)
                .setActorId("u1").setOccurredAt(at).setSchemaVersion(EventCodec.CURRENT_VERSION).setPayload(payload).build());
    }

    private void post(final String team, final String channel, final Instant at) {
        in.pipeInput(team, envelope(team, at, MessagePosted.newBuilder().setChannelId(channel)
                .setMessageId(UUID.randomUUID().toString()).setText("hi").setThreadRootId(null).setClientMessageId(null).build()));
    }

    private static KeyValue<String, String> activity(final String team, final String channel, final Instant hour, final long n) {
        final ChannelActivity a = new ChannelActivity(team, channel, hour, hour.plus(Duration.ofHours(1)), n);
        return KeyValue.pair(a.key(), a.toJson());
    }

    private static Instant at(final Instant hour, final int minutes) {
        return hour.plus(Duration.ofMinutes(minutes));
    }

    // ---- tests ----
    @Test
    void givenMessagesInAnHour_whenStreamTimePassesHourEndPlusGrace_thenOneFinalRecordPerChannel() {
        start();
        // Given
        post("t1", "general", at(H10, 5));
        post("t1", "random", at(H10, 20));
        post("t1", "general", H11.minusMillis(1));
        post("t1", "general", H11);                       // next hour
        post("t1", "general", at(H11, 9));                // stream time 11:09 < 11:00 + grace
        assertThat(out.isEmpty()).as("nothing before the window closes").isTrue();
        // When
        post("t1", "random", at(H11, 10));                // stream time reaches 11:10 = end + grace
        // Then
        assertThat(out.readKeyValuesToList()).containsExactly(
                activity("t1", "general", H10, 2),
                activity("t1", "random", H10, 1));
        assertThat(failures.count()).isZero();
    }

    @Test
    void givenTwoTeams_thenEachTeamAndChannelHasItsOwnRecord_andTheValueIsTheDocumentedJson() {
        start();
        post("t1", "general", at(H10, 1));
        post("t2", "general", at(H10, 2));
        post("t2", "general", at(H10, 3));
        post("t1", "x", at(H12, 0));                      // closes hour 10 for every key (one partition)
        final List<KeyValue<String, String>> records = out.readKeyValuesToList();
        assertThat(records).containsExactly(activity("t1", "general", H10, 1), activity("t2", "general", H10, 2));
        assertThat(records.get(1).key).isEqualTo("t2/general/2026-11-21T10:00:00Z");
        assertThat(records.get(1).value).isEqualTo("{\"teamId\":\"t2\",\"channelId\":\"general\","
                + "\"hourStart\":\"2026-11-21T10:00:00Z\",\"hourEnd\":\"2026-11-21T11:00:00Z\",\"messages\":2}");
    }

    @Test
    void givenLateMessageWithinGrace_thenItIsCounted() {
        start();
        post("t1", "general", at(H10, 30));
        post("t1", "general", at(H11, 5));                // stream time 11:05
        post("t1", "general", at(H10, 59));               // late by 6 min, within 10 min grace
        post("t1", "general", at(H11, 10));               // closes hour 10
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H10, 2));
    }

    @Test
    void givenLateMessageAfterGrace_thenItIsDroppedAndTheEmittedCountIsNotChanged() {
        start();
        post("t1", "general", at(H10, 30));
        post("t1", "general", at(H11, 10));               // closes hour 10: emitted with 1
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H10, 1));
        post("t1", "general", at(H10, 45));               // after grace: dropped (Streams' dropped-records metric)
        post("t1", "general", at(H12, 10));               // closes hour 11
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H11, 1));
    }

    @Test
    void givenZeroGrace_thenAWindowClosesAtTheFirstEventOfTheNextHour() {
        start(new ActivitySettings(Duration.ZERO, true));
        post("t1", "general", at(H10, 59));
        post("t1", "general", H11);
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H10, 1));
        post("t1", "general", at(H10, 59));               // one ms of lateness would be too late now
        post("t1", "general", H12);
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H11, 1));
    }

    @Test
    void givenDeletesEditsReactionsAndChannelEvents_thenOnlyPostsAreCounted() {
        start();
        post("t1", "general", at(H10, 1));
        in.pipeInput("t1", envelope("t1", at(H10, 2), MessageEdited.newBuilder().setChannelId("general").setMessageId("m").setText("x").build()));
        in.pipeInput("t1", envelope("t1", at(H10, 3), MessageDeleted.newBuilder().setChannelId("general").setMessageId("m").build()));
        in.pipeInput("t1", envelope("t1", at(H10, 4), ReactionAdded.newBuilder().setChannelId("general").setMessageId("m").setEmoji(":+1:").build()));
        in.pipeInput("t1", envelope("t1", at(H10, 5), ChannelCreated.newBuilder().setChannelId("quiet").setName("quiet")
                .setPrivate$(false).setTopic(null).build()));
        post("t1", "general", at(H12, 0));
        // A delete does not decrement: the count is of messages POSTED in the hour (activity), see README.
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H10, 1));
    }

    @Test
    void givenUndecodableRecord_thenItIsSkippedCountedAndTheJobGoesOn() {
        start();
        post("t1", "general", at(H10, 1));
        in.pipeInput("t1", "not avro".getBytes());
        in.pipeInput("t1", (byte[]) null);                  // a tombstone is not an event either
        post("t1", "general", at(H10, 2));
        post("t1", "general", at(H12, 0));
        assertThat(failures.count()).isEqualTo(2);
        assertThat(out.readKeyValuesToList()).containsExactly(activity("t1", "general", H10, 2));
    }

    @Test
    void givenUnknownWriterSchema_whenFailOnUnknownSchema_thenTheJobStops_elseItSkips() {
        final byte[] unknown = envelope("t1", at(H10, 1), MessagePosted.newBuilder().setChannelId("general")
                .setMessageId("m1").setText("x").setThreadRootId(null).setClientMessageId(null).build());
        for (int i = 2; i < 10; i++) {
            unknown[i] ^= (byte) 0x5A;                        // another fingerprint, same C3 01 header
        }
        start();
        assertThatThrownBy(() -> in.pipeInput("t1", unknown))
                .isInstanceOf(StreamsException.class)
                .satisfies(e -> assertThat(causeOfType(e, AnalyticsException.class))
                        .hasMessageContaining("written with a schema this build does not know")
                        .hasMessageContaining("chat.events-0@0"));
        assertThat(failures.count()).isZero();

        start(new ActivitySettings(GRACE, false));
        in.pipeInput("t1", unknown);
        assertThat(failures.count()).isEqualTo(1);
    }

    @Test
    void givenTheSameLog_whenReplayed_thenTheOutputIsIdentical() {
        final List<List<KeyValue<String, String>>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            start();
            for (int i = 0; i < 300; i++) {
                post("t" + (i % 3), "c" + (i % 7), H10.plus(Duration.ofSeconds(i * 37L)));
            }
            post("t0", "end", H10.plus(Duration.ofHours(6)));    // after every window's end + grace
            runs.add(out.readKeyValuesToList());
        }
        assertThat(runs.get(0)).isNotEmpty().isEqualTo(runs.get(1));
        assertThat(runs.get(0).stream().mapToLong(kv -> Long.parseLong(kv.value.replaceAll(".*\"messages\":(\\d+)}", "$1"))).sum())
                .isEqualTo(300);
    }

    private static Throwable causeOfType(final Throwable t, final Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the cause chain of " + t);
    }

    @Test
    void topologyNamesAreStable_andThereIsNoRepartitionTopic() {
        final String described = ChannelActivityTopology.build(ActivityTopics.defaults(), ActivitySettings.defaults(), failures)
                .describe().toString();
        assertThat(described).contains(ChannelActivityTopology.SOURCE, ChannelActivityTopology.DECODE, ChannelActivityTopology.COUNT,
                ChannelActivityTopology.STORE, ChannelActivityTopology.EXPLODE, ChannelActivityTopology.SINK,
                "topics: [chat.events]", "topic: analytics.channel-activity");
        assertThat(described).doesNotContain("repartition").contains("Sub-topology: 0").doesNotContain("Sub-topology: 1");
    }
}
