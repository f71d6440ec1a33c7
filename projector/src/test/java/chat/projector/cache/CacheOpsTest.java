package chat.projector.cache;

import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CacheOpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-21T10:00:00.123Z");

    @Test
    void givenABatchOfEveryKind_whenMapped_thenWhatHistoryAndChannelListsNeedIsCachedInOffsetOrder() throws Exception {
        // Given
        final List<RowChange> changes = List.of(
                new RowChange.TeamInsert("t", "T", "alice", T, 10),
                new RowChange.TeamMemberUpsert("t", "bob", "member", T, 11),
                new RowChange.ChannelInsert("t", "c", "C", true, null, "alice", T, 12),
                new RowChange.ChannelMemberUpsert("t", "c", "bob", "alice", T, 13),
                new RowChange.MessageInsert("t", "c", "m1", "bob", "hi", null, null, T, 3, 14),
                new RowChange.MessageInsert("t", "c", "r1", "bob", "re", "m1", null, T, 3, 15),
                new RowChange.ThreadRecount("t", "m1", 15),
                new RowChange.MessageEdit("t", "c", "m1", "hi!", T, 16),
                new RowChange.ReactionAdd("t", "c", "m1", "bob", "x", T, 17),
                new RowChange.MessageDelete("t", "c", "m1", T, 18),
                new RowChange.ReactionPurge("t", "c", "m1", 18),
                new RowChange.ThreadRecountOfReply("t", "m1", 18),
                new RowChange.ChannelMemberDelete("t", "c", "bob", 19),
                new RowChange.TeamMemberDelete("t", "bob", 20),
                new RowChange.ReadMarkerUpsert("t", "c", "bob", "m1", T, 21),
                new RowChange.ChannelTopicUpdate("t", "c", "a \"topic\"", 22),
                new RowChange.ChannelArchive("t", "c", T, 23));
        final ProjectionBatch batch = new ProjectionBatch(3, 10, 24, changes);
        final ShardFacts facts = new ShardFacts(Map.of(), Map.of(new ShardFacts.Key("t", "m1"),
                new ShardFacts.Root("c", "m1", 1, "2026-11-21T10:00:00.123Z")), Map.of(),
                Map.of(new ShardFacts.Key("t", "m1"), new ShardFacts.Row("c", "bob", true, 14, 18, true)));

        // When
        final JsonNode ops = JSON.readTree(CacheOps.ops(batch, facts));

        // Then
        final String micros = Long.toString(T.toEpochMilli() * 1000);
        assertThat(ops).hasSize(15);
        assertThat(ops.get(0).toString()).isEqualTo("[\"tm+\",11,\"t\",\"bob\"]");
        assertThat(ops.get(1).toString()).isEqualTo("[\"Lc\",12,\"t\",\"c\","
                + "\"{\\\"channelId\\\":\\\"c\\\",\\\"name\\\":\\\"C\\\",\\\"private\\\":true,\\\"topic\\\":null,\\\"archived\\\":false\",\"1\"]");
        assertThat(ops.get(2).toString()).isEqualTo("[\"cm+\",13,\"t\",\"c\",\"bob\"]");
        assertThat(ops.get(3).get(0).asText()).isEqualTo("m+");
        assertThat(ops.get(3).get(5).asText()).isEqualTo("{\"messageId\":\"m1\",\"authorId\":\"bob\",\"text\":\"hi\","
                + "\"createdAt\":\"2026-11-21T10:00:00.123Z\",\"editedAt\":null,\"position\":{\"partition\":3,\"offset\":14},"
                + "\"replyCount\":0,\"lastReplyAt\":null}");
        // every stored message is activity; only roots count towards unread
        assertThat(ops.get(4).toString()).isEqualTo("[\"Lm\",14,\"t\",\"c\",\"bob\",\"1\",\"" + micros
                + "\",\"\\\"2026-11-21T10:00:00.123Z\\\"\"]");
        assertThat(ops.get(5).toString()).isEqualTo("[\"Lm\",15,\"t\",\"c\",\"bob\",\"0\",\"" + micros
                + "\",\"\\\"2026-11-21T10:00:00.123Z\\\"\"]");
        // thread summary and edit: values rendered as JSON, to be spliced into the stored object
        assertThat(ops.get(6).toString()).isEqualTo("[\"rs\",15,\"t\",\"c\",\"m1\",\"1\",\"\\\"2026-11-21T10:00:00.123Z\\\"\"]");
        assertThat(ops.get(7).get(5).asText()).isEqualTo("\"hi!\"");
        assertThat(ops.get(7).get(6).asText()).isEqualTo("\"2026-11-21T10:00:00.123Z\"");
        assertThat(ops.get(8).toString()).isEqualTo("[\"md\",18,\"t\",\"c\",\"m1\"]");
        // the shard deleted a live root at 18: one less to count, with the author and position the shard holds
        assertThat(ops.get(9).toString()).isEqualTo("[\"Ld\",18,\"t\",\"c\",\"bob\",\"14\"]");
        assertThat(ops.get(10).toString()).isEqualTo("[\"cm-\",19,\"t\",\"c\",\"bob\"]");
        assertThat(ops.get(11).toString()).isEqualTo("[\"tm-\",20,\"t\",\"bob\"]");
        assertThat(ops.get(12).toString()).isEqualTo("[\"Lr\",21,\"t\",\"c\",\"bob\",\"14\"]");
        assertThat(ops.get(13).toString()).isEqualTo("[\"Lt\",22,\"t\",\"c\",\"\\\"a \\\\\\\"topic\\\\\\\"\\\"\"]");
        assertThat(ops.get(14).toString()).isEqualTo("[\"La\",23,\"t\",\"c\"]");
        assertThat(CacheOps.questions(batch).roots()).containsExactly(new ShardFacts.Key("t", "m1"));
        assertThat(CacheOps.questions(batch).repliesDeleted()).containsExactly(new ShardFacts.Key("t", "m1"));
        assertThat(CacheOps.questions(batch).rows()).containsExactly(new ShardFacts.Key("t", "m1"));
    }

    @Test
    void givenADeleteTheShardDidNotApply_orAMarkerOnAnUnknownMessage_whenMapped_thenTheListsAreNotTouched() throws Exception {
        // an already deleted root (the row's last offset is the first delete's), and a marker of a message in another channel
        final ProjectionBatch batch = new ProjectionBatch(0, 30, 32, List.of(
                new RowChange.MessageDelete("t", "c", "m1", T, 30),
                new RowChange.ReadMarkerUpsert("t", "c", "bob", "m2", T, 31)));
        final ShardFacts facts = new ShardFacts(Map.of(), Map.of(), Map.of(), Map.of(
                new ShardFacts.Key("t", "m1"), new ShardFacts.Row("c", "bob", true, 14, 18, true),
                new ShardFacts.Key("t", "m2"), new ShardFacts.Row("other", "bob", true, 20, 20, false)));
        final JsonNode ops = JSON.readTree(CacheOps.ops(batch, facts));
        assertThat(ops).hasSize(1);
        assertThat(ops.get(0).get(0).asText()).isEqualTo("md");
    }

    @Test
    void givenARetriedPostTheShardAlreadyHeld_whenMapped_thenItIsNotCachedAgain() throws Exception {
        final RowChange first = new RowChange.MessageInsert("t", "c", "m1", "bob", "once", null, "c-1", T, 0, 5);
        final RowChange retry = new RowChange.MessageInsert("t", "c", "m1", "bob", "once", null, "c-1", T, 0, 9);
        final ShardFacts facts = new ShardFacts(Map.of(new ShardFacts.Key("t", "m1"), 5L), Map.of(), Map.of(), Map.of());

        assertThat(CacheOps.questions(new ProjectionBatch(0, 5, 10, List.of(first, retry))).posts())
                .containsExactly(new ShardFacts.Key("t", "m1"));
        final JsonNode ops = JSON.readTree(CacheOps.ops(new ProjectionBatch(0, 5, 10, List.of(first, retry)), facts));
        assertThat(ops).hasSize(2); // m+ and Lm of the first post only
        assertThat(ops.get(0).get(1).asLong()).isEqualTo(5);
        assertThat(ops.get(1).get(0).asText()).isEqualTo("Lm");
        assertThat(ops.get(1).get(1).asLong()).isEqualTo(5);
    }
}
