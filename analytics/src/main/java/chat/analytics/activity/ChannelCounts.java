package chat.analytics.activity;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The aggregate of one team-hour window: messages per channel. The job aggregates per TEAM (the
 * record key, hence the partition) rather than per channel so that no repartition topic is needed:
 * event time then advances per source partition, where {@code occurredAt} is nearly in order, and a
 * replay from the beginning does not turn records of a slow partition into "late" ones.
 * Immutable; sorted by channel so that the output order is deterministic.
 */
final class ChannelCounts {
    static final Serde<ChannelCounts> SERDE = Serdes.serdeFrom(new Ser(), new De());
    private final SortedMap<String, Long> counts;

    ChannelCounts() {
        this(new TreeMap<>());
    }

    private ChannelCounts(final SortedMap<String, Long> counts) {
        this.counts = counts;
    }

    ChannelCounts plus(final String channelId) {
        final TreeMap<String, Long> next = new TreeMap<>(counts);
        next.merge(channelId, 1L, Long::sum);
        return new ChannelCounts(next);
    }

    SortedMap<String, Long> counts() {
        return Collections.unmodifiableSortedMap(counts);
    }

    private static final class Ser implements Serializer<ChannelCounts> {
        @Override
        public byte[] serialize(final String topic, final ChannelCounts data) {
            if (data == null) {
                return null;
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 24 * data.counts.size());
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(data.counts.size());
                for (Map.Entry<String, Long> e : data.counts.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeLong(e.getValue());
                }
            } catch (IOException e) {
                throw new SerializationException("cannot encode channel counts", e);
            }
            return bytes.toByteArray();
        }
    }

    private static final class De implements Deserializer<ChannelCounts> {
        @Override
        public ChannelCounts deserialize(final String topic, final byte[] data) {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                final int n = in.readInt();
                final TreeMap<String, Long> counts = new TreeMap<>();
                for (int i = 0; i < n; i++) {
                    counts.put(in.readUTF(), in.readLong());
                }
                return new ChannelCounts(counts);
            } catch (IOException e) {
                throw new SerializationException("cannot decode channel counts (" + data.length + " bytes)", e);
            }
        }
    }
}
