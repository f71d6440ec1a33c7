package chat.ctl;

import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code chatctl lag}: per partition and per shard, how far the read model is behind the log:
 * events (log end - the shard's checkpoint) and seconds (now - append time of the first
 * unapplied record; {@code chat.events} uses LogAppendTime).
 */
@Command(name = "lag", mixinStandardHelpOptions = true,
        description = "Per partition and per shard: events behind (log end - checkpoint) and seconds behind"
                + " (append time of the next unapplied record vs now).")
final class LagCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Spec
    CommandSpec spec;

    /** Lag of one partition. */
    record PartitionLag(int partition, int shard, long end, long checkpoint, double seconds) {
        long events() {
            return Math.max(0, end - checkpoint);
        }
    }

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        try (Platform p = platform.connect()) {
            final List<PartitionLag> lags = measure(p, Clock.systemUTC());
            final TextTable parts = new TextTable("partition", "shard", "log end", "checkpoint", "events behind", "seconds behind");
            for (PartitionLag l : lags) {
                parts.row(l.partition(), l.shard(), l.end(), l.checkpoint(), l.events(), String.format("%.1f", l.seconds()));
            }
            parts.print(out);
            out.println();
            final TextTable shards = new TextTable("shard", "partitions", "events behind", "seconds behind", "database");
            for (int s = 0; s < p.map().shards(); s++) {
                final int shard = s;
                final List<PartitionLag> of = lags.stream().filter(l -> l.shard() == shard).toList();
                shards.row(s, of.size(), of.stream().mapToLong(PartitionLag::events).sum(),
                        String.format("%.1f", of.stream().mapToDouble(PartitionLag::seconds).max().orElse(0)),
                        Pg.database(p.currentUrl(s)));
            }
            shards.print(out);
        }
        return ChatCtl.OK;
    }

    /** Measures every partition once. */
    static List<PartitionLag> measure(final Platform p, final Clock clock) {
        final Map<Integer, Long> end = p.logEnd();
        final Map<Integer, Long> checkpoint = new HashMap<>();
        for (int s = 0; s < p.map().shards(); s++) {
            final Map<Integer, Long> cp = p.checkpoints(p.currentUrl(s));
            for (int partition : p.map().partitionsOf(s)) {
                checkpoint.put(partition, cp.getOrDefault(partition, 0L));
            }
        }
        final Map<Integer, Double> seconds = secondsBehind(p, end, checkpoint, clock);
        return end.keySet().stream().sorted().map(partition -> new PartitionLag(partition, p.map().shardOf(partition),
                end.get(partition), checkpoint.get(partition), seconds.getOrDefault(partition, 0.0))).toList();
    }

    private static Map<Integer, Double> secondsBehind(final Platform p, final Map<Integer, Long> end,
                                                      final Map<Integer, Long> checkpoint, final Clock clock) {
        final Map<Integer, Double> out = new HashMap<>();
        final List<TopicPartition> behind = end.keySet().stream().filter(partition -> checkpoint.get(partition) < end.get(partition))
                .map(partition -> new TopicPartition(Topics.EVENTS, partition)).toList();
        if (behind.isEmpty()) {
            return out;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Replayer.consumerProps(p.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(behind);
            for (TopicPartition tp : behind) {
                consumer.seek(tp, checkpoint.get(tp.partition()));
            }
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (out.size() < behind.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!out.containsKey(r.partition())) {
                        out.put(r.partition(), Math.max(0, clock.millis() - r.timestamp()) / 1000.0);
                        consumer.pause(List.of(new TopicPartition(r.topic(), r.partition())));
                    }
                }
            }
        }
        return out;
    }
}
