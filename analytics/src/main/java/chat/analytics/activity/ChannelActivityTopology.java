package chat.analytics.activity;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Messages per channel per hour: {@code chat.events} -> {@code analytics.channel-activity}.
 * <pre>
 * chat.events (key team, Avro)
 *   -> activity-decode      decode once; keep MessagePosted; timestamp := occurredAt; value := channelId
 *   -> activity-count       tumbling 1 h windows per TEAM (key unchanged: no repartition), grace from settings,
 *                           emitted once when the window closes (final result), store activity-counts-store
 *   -> activity-explode     one record per channel: key team/channel/hourStart, value JSON
 *   -> activity-sink        analytics.channel-activity
 * </pre>
 * Pure: no I/O. The processor and store names are part of the contract (the store's changelog topic
 * is named after it); {@code ChannelActivityTopologyTest} pins them.
 *
 * <pre>{@code
 * Topology t = ChannelActivityTopology.build(ActivityTopics.defaults(), ActivitySettings.defaults(), new DecodeFailures());
 * }</pre>
 */
public final class ChannelActivityTopology {
    public static final String SOURCE = "activity-source";
    public static final String DECODE = "activity-decode";
    public static final String GROUP = "activity-group";
    public static final String COUNT = "activity-count";
    public static final String STORE = "activity-counts-store";
    public static final String TO_STREAM = "activity-windows";
    public static final String EXPLODE = "activity-explode";
    public static final String SINK = "activity-sink";

    private ChannelActivityTopology() {
    }

    public static Topology build(final ActivityTopics topics, final ActivitySettings settings, final DecodeFailures failures) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics.events(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(SOURCE))
                .processValues(() -> new PostedMessages(failures, settings.failOnUnknownSchema()), Named.as(DECODE))
                .groupByKey(Grouped.with(GROUP, Serdes.String(), Serdes.String()))
                .windowedBy(TimeWindows.ofSizeAndGrace(ActivitySettings.WINDOW, settings.grace()))
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(ChannelCounts::new, (team, channel, counts) -> counts.plus(channel), Named.as(COUNT),
                        Materialized.<String, ChannelCounts, WindowStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(ChannelCounts.SERDE)
                                .withRetention(ActivitySettings.WINDOW.plus(settings.grace())))
                .toStream(Named.as(TO_STREAM))
                .flatMap((Windowed<String> window, ChannelCounts counts) -> explode(window, counts), Named.as(EXPLODE))
                .to(topics.output(), Produced.with(Serdes.String(), Serdes.String()).withName(SINK));
        return builder.build();
    }

    static List<KeyValue<String, String>> explode(final Windowed<String> window, final ChannelCounts counts) {
        if (counts == null) {
            return List.of();
        }
        final List<KeyValue<String, String>> out = new ArrayList<>(counts.counts().size());
        final Instant start = window.window().startTime();
        final Instant end = window.window().endTime();
        for (Map.Entry<String, Long> e : counts.counts().entrySet()) {
            final ChannelActivity a = new ChannelActivity(window.key(), e.getKey(), start, end, e.getValue());
            out.add(KeyValue.pair(a.key(), a.toJson()));
        }
        return out;
    }
}
