package chat.ctl;

import chat.common.shard.ShardMap;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchSeederTest {

    @Test
    void givenAShard_whenTeamsChosen_thenEveryTeamLandsOnAPartitionOfThatShardLikeTheProducerPutsIt() {
        final ShardMap map = ShardMap.modulo(12, 4);
        final List<String> teams = BenchSeeder.teamsOn(map, s -> s == 2, "bench-t", 24);
        assertThat(teams).hasSize(24).doesNotHaveDuplicates();
        for (String team : teams) {
            // The producer's default partitioner for a keyed record.
            final int producerPartition = BuiltInPartitioner.partitionForKey(team.getBytes(StandardCharsets.UTF_8), 12);
            assertThat(BenchSeeder.partitionOf(team, 12)).isEqualTo(producerPartition);
            assertThat(map.partitionsOf(2)).contains(producerPartition);
        }
    }

    @Test
    void givenAReplayUrl_thenBatchedInsertRewritingIsOff_andOtherParametersKept() {
        assertThat(ScratchPools.forReplay("jdbc:postgresql://h:5432/chat_shard_1"))
                .isEqualTo("jdbc:postgresql://h:5432/chat_shard_1");
        assertThat(ScratchPools.forReplay("jdbc:postgresql://h:5432/chat_shard_1?ssl=true&reWriteBatchedInserts=true"))
                .isEqualTo("jdbc:postgresql://h:5432/chat_shard_1?ssl=true&reWriteBatchedInserts=false");
    }

    @Test
    void givenBenchHelp_thenBothBenchmarksAreListed() {
        final java.io.StringWriter out = new java.io.StringWriter();
        assertThat(ChatCtl.run(new String[]{"bench", "--help"}, new java.io.PrintWriter(out),
                new java.io.PrintWriter(new java.io.StringWriter()))).isZero();
        assertThat(out.toString()).contains("replay").contains("rebuild");
    }
}
