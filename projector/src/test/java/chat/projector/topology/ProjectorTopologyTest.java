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
import static org.assertj.core.api.Assertions.tuple;

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
            assertThat(sink.checkpoint(0)).isEqualTo(EveryKind.COUNT);
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
                new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null, "cm-m1", at(1), null, at(2), 0, 0, 1, 0, null));
        assertThat(sink.checkpoint(0)).isEqualTo(3);
    }

    /** Pipes {@code events} with a batch size of 2, replays them (skipped below the checkpoint), then
     * replays them again after the checkpoint is lost; returns the rows, checked to be identical. */
    private ReadModel pipeAndReplay(final List<EventEnvelope> events) {
        final ProjectorSettings small = ProjectorSettings.defaults().withBatchSize(2);
        try (TopologyHarness h = new TopologyHarness(sink, small, stateDir)) {
            events.forEach(h::pipe);
            assertThat(h.dlq.isEmpty()).as("nothing rejected").isTrue();
        }
        final ReadModel first = sink.snapshot(0);
        assertThat(sink.checkpoint(0)).isEqualTo(events.size());
        try (TopologyHarness replay = new TopologyHarness(sink, small, stateDir)) {
            events.forEach(replay::pipe);
        }
        assertThat(sink.snapshot(0)).as("replay below the checkpoint").isEqualTo(first);
        sink.forgetCheckpoint(0);
        try (TopologyHarness replay = new TopologyHarness(sink, small, stateDir)) {
            events.forEach(replay::pipe);
        }
        assertThat(sink.snapshot(0)).as("replay after the checkpoint was lost").isEqualTo(first);
        return first;
    }

    @Test
    void givenReactionsAddedRemovedReAddedTwiceAndRemovedWithoutAdd_whenPiped_thenRowsFollowEachUserAndEmoji() {
        final ReadModel rows = pipeAndReplay(List.of(
                posted(1, "c1", "m1", "hi"),                    // 0
                reactionAdded(2, "c1", "m1", "u2", "eyes"),     // 1
                reactionRemoved(3, "c1", "m1", "u2", "eyes"),   // 2
                reactionAdded(4, "c1", "m1", "u2", "eyes"),     // 3: re-add
                reactionAdded(5, "c1", "m1", "u1", "+1"),       // 4
                reactionAdded(6, "c1", "m1", "u1", "+1"),       // 5: double add, the first stays
                reactionRemoved(7, "c1", "m1", "u3", "eyes"),   // 6: never added
                reactionAdded(8, "c1", "gone", "u1", "+1")));   // 7: unknown message

        assertThat(rows.reactions()).containsExactly(
                new ReadModel.Reaction(TEAM, "m1", "u1", "+1", "c1", at(5), 4),
                new ReadModel.Reaction(TEAM, "m1", "u2", "eyes", "c1", at(4), 3));
    }

    @Test
    void givenMessageWithReactions_whenDeletedThenReactedAndEdited_thenNoReactionAndTombstoneUnchanged() {
        final ReadModel rows = pipeAndReplay(List.of(
                posted(1, "c1", "m1", "hi"),
                reactionAdded(2, "c1", "m1", "u2", "eyes"),
                reactionAdded(3, "c1", "m1", "u1", "+1"),
                deleted(4, "c1", "m1"),
                reactionAdded(5, "c1", "m1", "u3", "eyes"),
                edited(6, "c1", "m1", "resurrected?")));

        assertThat(rows.reactions()).isEmpty();
        assertThat(rows.messages()).containsExactly(
                new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null, "cm-m1", at(1), null, at(4), 0, 0, 3, 0, null));
    }

    @Test
    void givenReadMarkers_whenMovedForwardBackwardAndToUnknownMessages_thenMarkerKeepsTheNewest() {
        final ReadModel rows = pipeAndReplay(List.of(
                posted(1, "c1", "m1", "a"),                     // 0
                posted(2, "c1", "m2", "b"),                     // 1
                posted(3, "c2", "m3", "elsewhere"),             // 2
                readMarked(4, "c1", "m1", "u2"),                // 3: forward
                readMarked(5, "c1", "m2", "u2"),                // 4: forward
                readMarked(6, "c1", "m1", "u2"),                // 5: backward, ignored
                readMarked(7, "c1", "ghost", "u2"),             // 6: unknown, ignored
                readMarked(8, "c1", "m3", "u2"),                // 7: not in c1, ignored
                readMarked(9, "c1", "ghost", "u3")));           // 8: unknown: no marker at all

        assertThat(rows.readMarkers()).containsExactly(new ReadModel.ReadMarker(TEAM, "c1", "u2", "m2", 1, at(5), 4));
    }

    @Test
    void givenThreadRepliesAddedAndDeleted_whenPiped_thenRootCountsRecomputedAndReplayGivesIdenticalRows() {
        final ReadModel rows = pipeAndReplay(List.of(
                posted(1, "c1", "m1", "root"),                  // 0
                reply(2, "c1", "r1", "m1", "a"),                // 1
                reply(3, "c1", "r2", "m1", "b"),                // 2
                posted(4, "c1", "m2", "other root"),            // 3
                reply(5, "c1", "r3", "m1", "c"),                // 4
                reply(6, "c1", "r4", "m2", "d"),                // 5
                deleted(7, "c1", "r3"),                         // 6: the newest reply of m1
                deleted(8, "c1", "r1"),                         // 7
                edited(9, "c1", "m1", "root!")));               // 8

        assertThat(rows.messages()).filteredOn(m -> m.threadRootId() == null).containsExactly(
                new ReadModel.Message(TEAM, "c1", "m1", "u1", "root!", null, "cm-m1", at(1), at(9), null, 0, 0, 8, 1, at(3)),
                new ReadModel.Message(TEAM, "c1", "m2", "u1", "other root", null, "cm-m2", at(4), null, null, 0, 3, 3, 1,
                        at(6)));
        assertThat(rows.messages()).filteredOn(m -> m.threadRootId() != null)
                .extracting(ReadModel.Message::messageId, ReadModel.Message::threadRootId, ReadModel.Message::text)
                .containsExactly(tuple("r1", "m1", null), tuple("r2", "m1", "b"), tuple("r3", "m1", null),
                        tuple("r4", "m2", "d"));
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
