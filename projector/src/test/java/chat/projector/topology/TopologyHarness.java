package chat.projector.topology;

import chat.events.EventEnvelope;
import chat.projector.ProjectorSettings;
import chat.projector.sink.ShardSink;
import chat.schemas.EventCodec;
import chat.schemas.Events;
import chat.schemas.Topics;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

/** A TopologyTestDriver over the projector topology, with helpers to pipe envelopes and raw records. */
final class TopologyHarness implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> events;
    final TestOutputTopic<byte[], byte[]> dlq;

    TopologyHarness(final ShardSink sink, final ProjectorSettings settings, final Path stateDir) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "projector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(
                ProjectorTopology.build(ProjectorTopology.TopicNames.DEFAULT, settings, sink), props);
        events = driver.createInputTopic(Topics.EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
        dlq = driver.createOutputTopic(Topics.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Pipes an envelope as ingest writes it: key teamId, headers team/type. */
    void pipe(final EventEnvelope e) {
        final RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_TEAM, utf8(e.getTeamId()));
        headers.add(Topics.HEADER_TYPE, utf8(Events.typeOf(e)));
        events.pipeInput(new TestRecord<>(utf8(e.getTeamId()), EventCodec.encode(e), headers, e.getOccurredAt()));
    }

    void pipeRaw(final byte[] key, final byte[] value, final RecordHeaders headers) {
        events.pipeInput(new TestRecord<>(key, value, headers, (Long) null));
    }

    @Override
    public void close() {
        driver.close();
    }
}
