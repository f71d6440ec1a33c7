package chat.dev.bench;

import chat.dev.DevStack;
import chat.dev.it.TestStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarder's log path on the test stack's broker: every post is appended to the floor's topic
 * before its 201, and what the consumer reads back reaches every subscriber of the team once.
 */
class ForwarderLogIT {

    @Test
    void everyPostGoesThroughTheTopicAndReachesEverySubscriberOnce() throws Exception {
        final DevStack stack = TestStack.get();
        final long before;
        try (Forwarder.Running fwd = Forwarder.start(0, 2, stack.bootstrapServers(), 3)) {
            before = logEnd(stack.bootstrapServers());
            WsFleetTest.assertEveryPostReachesEverySubscriberOnce(fwd);
        }
        assertThat(logEnd(stack.bootstrapServers()) - before).as("records appended to " + ForwarderLog.TOPIC).isEqualTo(60);
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("bench-forwarder-log")))
                .as("the log reader ends with the forwarder").isEmpty();
    }

    private static long logEnd(final String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            final int partitions = admin.describeTopics(java.util.List.of(ForwarderLog.TOPIC)).allTopicNames().get()
                    .get(ForwarderLog.TOPIC).partitions().size();
            final Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                spec.put(new TopicPartition(ForwarderLog.TOPIC, p), OffsetSpec.latest());
            }
            return admin.listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }
}
