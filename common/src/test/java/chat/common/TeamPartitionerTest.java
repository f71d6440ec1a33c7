package chat.common;

import chat.common.kafka.TeamPartitioner;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TeamPartitionerTest {
    @Test
    void shouldAgreeWithKafkasDefaultPartitionerForKeyedRecords() {
        for (int i = 0; i < 2_000; i++) {
            final String team = "team-" + i;
            assertThat(TeamPartitioner.partitionOf(team, 12))
                    .isEqualTo(BuiltInPartitioner.partitionForKey(team.getBytes(StandardCharsets.UTF_8), 12));
        }
    }
}
