package chat.projector.topology;

import chat.common.shard.ShardMap;
import chat.events.EventEnvelope;
import chat.events.MessagePosted;
import chat.projector.EveryKind;
import chat.projector.ProjectorSettings;
import chat.projector.projection.ProjectionBatch;
import chat.projector.sink.InMemoryShardSink;
import chat.projector.sink.ReadModel;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static chat.projector.Fixtures.*;
import static chat.projector.topology.TopologyHarness.utf8;
import static org.assertj.core.api.Assertions.assertThat;

class ProjectorTopologyTest {
    @TempDir
    Path stateDir;

    /** TopologyTestDriver reads every record from partition 0; one shard. */
    private final InMemoryShardSink sink = new InMemoryShardSink(ShardMap.modulo(1, 1));

    private TopologyHarness harness() {
        return new TopologyHarness(sink, ProjectorSettings.defaults(), stateDir);
    }

    private static String header(final Headers headers, final String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void givenOneEventOfEveryKind_whenPiped_thenEveryKindIsProjectedAndCheckpointCoversAll() {
        try (TopologyHarness h = harness()) {
            EveryKind.events().forEach(h::pipe);

            EveryKind.assertProjected(sink.snapshot(0), 0);
            assertThat(sink.checkpoint(0)).isEqualTo(17);
            assertThat(h.dlq.isEmpty()).isTrue();
        }
    }

    @Test
    void givenAppliedEvents_whenSameRecordsReplayed_thenRowsUnchangedAndNothingRewritten() {
        final List<EventEnvelope> events = EveryKind.events();
        try (TopologyHarness h = harness()) {
            events.forEach(h::pipe);
        }
        final ReadModel first = sink.snapshot(0);
        final int batches = sink.writtenBatches().size();

        try (TopologyHarness replay = harness()) { // a new task: offsets 0.. again, checkpoint read from the shard
            events.forEach(replay::pipe);
        }

        assertThat(sink.snapshot(0)).isEqualTo(first);
        assertThat(sink.writtenBatches()).hasSize(batches);
    }

    @Test
    void givenCheckpointLost_whenRecordsReplayed_thenRowsUnchanged() {
        final List<EventEnvelope> events = EveryKind.events();
        try (TopologyHarness h = harness()) {
            events.forEach(h::pipe);
        }
        final ReadModel first = sink.snapshot(0);
        sink.forgetCheckpoint(0);

        try (TopologyHarness replay = harness()) {
            events.forEach(replay::pipe);
        }

        assertThat(sink.snapshot(0)).isEqualTo(first);
    }

    @Test
    void givenDeletedMessage_whenEdited_thenNoChange() {
        try (TopologyHarness h = harness()) {
            h.pipe(posted(1, "c1", "m1", "hello"));
            h.pipe(deleted(2, "c1", "m1"));
            h.pipe(edited(3, "c1", "m1", "resurrected?"));
        }

        assertThat(sink.snapshot(0).messages()).containsExactly(
                new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null, "cm-m1", at(1), null, at(2), 0, 0, 1));
        assertThat(sink.checkpoint(0)).isEqualTo(3);
    }

    @Test
    void givenShardCheckpointAt2_whenTaskStarts_thenRecordsBelowAreSkipped() {
        sink.write(new ProjectionBatch(0, 0, 2, List.of()));

        try (TopologyHarness h = harness()) {
            h.pipe(posted(1, "c1", "m0", "already applied"));
            h.pipe(posted(2, "c1", "m1", "already applied"));
            h.pipe(posted(3, "c1", "m2", "new"));
        }

        assertThat(sink.snapshot(0).messages()).extracting(ReadModel.Message::messageId).containsExactly("m2");
        assertThat(sink.checkpoint(0)).isEqualTo(3);
    }

    @Test
    void givenPoisonRecord_whenPiped_thenSentToDlqWithReasonAndPartitionKeepsMoving() {
        final byte[] garbage = utf8("not avro at all");
        try (TopologyHarness h = harness()) {
            h.pipe(posted(1, "c1", "m1", "before"));
            final RecordHeaders headers = new RecordHeaders();
            headers.add(Topics.HEADER_TEAM, utf8(TEAM));
            h.pipeRaw(utf8(TEAM), garbage, headers);
            h.pipe(posted(2, "c1", "m2", "after"));

            final List<TestRecord<byte[], byte[]>> dead = h.dlq.readRecordsToList();
            assertThat(dead).hasSize(1);
            final TestRecord<byte[], byte[]> r = dead.get(0);
            assertThat(r.key()).isEqualTo(utf8(TEAM));
            assertThat(r.value()).isEqualTo(garbage);
            assertThat(header(r.headers(), Topics.DLQ_REASON)).startsWith("DECODE_FAILED: ");
            assertThat(header(r.headers(), Topics.DLQ_PARTITION)).isEqualTo("0");
            assertThat(header(r.headers(), Topics.DLQ_OFFSET)).isEqualTo("1");
            assertThat(header(r.headers(), Topics.DLQ_COMPONENT)).isEqualTo("projector");
            assertThat(header(r.headers(), Topics.HEADER_TEAM)).isEqualTo(TEAM);
        }

        assertThat(sink.snapshot(0).messages()).extracting(ReadModel.Message::messageId).containsExactly("m1", "m2");
        assertThat(sink.checkpoint(0)).isEqualTo(3);
    }

    @Test
    void givenOnlyAPoisonRecord_whenPiped_thenCheckpointAdvancesPastIt() {
        try (TopologyHarness h = harness()) {
            h.pipeRaw(utf8(TEAM), null, new RecordHeaders());

            assertThat(header(h.dlq.readRecord().headers(), Topics.DLQ_REASON)).startsWith("DECODE_FAILED: null value");
        }

        assertThat(sink.checkpoint(0)).isEqualTo(1);
        assertThat(sink.snapshot(0).messages()).isEmpty();
    }

    @Test
    void givenKeyThatIsNotTheTeam_whenPiped_thenDlqKeyMismatchAndNoRow() {
        final EventEnvelope e = posted(1, "c1", "m1", "hi");
        try (TopologyHarness h = harness()) {
            h.pipeRaw(utf8("other-team"), EventCodec.encode(e), new RecordHeaders());

            assertThat(header(h.dlq.readRecord().headers(), Topics.DLQ_REASON))
                    .isEqualTo("KEY_MISMATCH: record key 'other-team' differs from envelope teamId 't1'");
        }

        assertThat(sink.snapshot(0).messages()).isEmpty();
        assertThat(sink.checkpoint(0)).isEqualTo(1);
    }

    @Test
    void givenInvalidIdsInPayload_whenPiped_thenDlqInvalidPayloadNamingEveryProblem() {
        final EventEnvelope e = of(1, new MessagePosted("bad channel!", "", "hi", null, null));
        try (TopologyHarness h = harness()) {
            h.pipe(e);

            assertThat(header(h.dlq.readRecord().headers(), Topics.DLQ_REASON))
                    .startsWith("INVALID_PAYLOAD: ")
                    .contains("channelId must match").contains("'bad channel!'")
                    .contains("messageId must match");
        }

        assertThat(sink.snapshot(0).messages()).isEmpty();
        assertThat(sink.checkpoint(0)).isEqualTo(1);
    }

    @Test
    void givenPoisonRecordBelowCheckpoint_whenReplayed_thenSentToDlqAgainButNothingWritten() {
        sink.write(new ProjectionBatch(0, 0, 1, List.of()));
        final int batches = sink.writtenBatches().size();

        try (TopologyHarness h = harness()) {
            h.pipeRaw(utf8(TEAM), utf8("garbage"), new RecordHeaders());

            assertThat(h.dlq.readRecordsToList()).hasSize(1); // at-least-once DLQ
        }

        assertThat(sink.writtenBatches()).hasSize(batches);
        assertThat(sink.checkpoint(0)).isEqualTo(1);
    }

    @Test
    void shouldKeepProcessorStoreAndSinkNamesStable() {
        final TopologyDescription d = ProjectorTopology.build(ProjectorTopology.TopicNames.DEFAULT,
                ProjectorSettings.defaults(), sink).describe();

        assertThat(d.subtopologies()).hasSize(1);
        assertThat(d.globalStores()).isEmpty();
        final TopologyDescription.Subtopology sub = d.subtopologies().iterator().next();
        final Set<String> nodes = sub.nodes().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet());
        assertThat(nodes).containsExactlyInAnyOrder("chat-events-source", "projector-processor", "dlq-sink");
        for (TopologyDescription.Node n : sub.nodes()) {
            switch (n) {
                case TopologyDescription.Source s -> assertThat(s.topicSet()).containsExactly("chat.events");
                case TopologyDescription.Processor p -> assertThat(p.stores()).containsExactly("projection-buffer");
                case TopologyDescription.Sink s -> assertThat(s.topic()).isEqualTo("chat.events.dlq");
                default -> throw new AssertionError("unexpected node " + n);
            }
        }
    }
}
