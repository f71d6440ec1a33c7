package chat.projector.topology;

import chat.projector.ProjectorSettings;
import chat.projector.sink.ShardSink;
import chat.schemas.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

import java.util.Objects;

/**
 * The projector's topology, a pure function (no I/O at build time):
 * <pre>
 *   chat-events-source (chat.events, byte[]/byte[])
 *     -> projector-processor [store: projection-buffer]   decode, validate, buffer row changes
 *          -> dlq-sink (chat.events.dlq)                  records that cannot be projected
 * </pre>
 * The names are part of the contract ({@code ProjectorTopologyTest} pins them): renaming the store
 * or a node changes task assignment metadata between versions.
 *
 * <pre>{@code
 * Topology t = ProjectorTopology.build(ProjectorTopology.Names.DEFAULT, settings, sink);
 * }</pre>
 */
public final class ProjectorTopology {
    /** Value of the {@code dlq.component} header. */
    public static final String COMPONENT = "projector";
    public static final String SOURCE = "chat-events-source";
    public static final String PROCESSOR = "projector-processor";
    public static final String BUFFER_STORE = "projection-buffer";
    public static final String DLQ_SINK = "dlq-sink";

    private ProjectorTopology() {
    }

    /**
     * Topic names the topology reads and writes.
     *
     * @param events the source of truth, {@code chat.events}
     * @param dlq    where rejected records go, {@code chat.events.dlq}
     */
    public record TopicNames(String events, String dlq) {
        /** The platform's topics (chat.schemas.Topics). */
        public static final TopicNames DEFAULT = new TopicNames(Topics.EVENTS, Topics.DLQ);

        public TopicNames {
            Objects.requireNonNull(events, "events");
            Objects.requireNonNull(dlq, "dlq");
        }
    }

    /**
     * Builds the topology.
     *
     * @param sink where each task's buffer writes its batches (wrap the JDBC sink in a
     *             {@link chat.projector.sink.RetryingShardSink})
     */
    public static Topology build(final TopicNames topics, final ProjectorSettings settings, final ShardSink sink) {
        final Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.events());
        topology.addProcessor(PROCESSOR, () -> new ProjectorProcessor(BUFFER_STORE, DLQ_SINK), SOURCE);
        topology.addStateStore(new ProjectionBufferStoreBuilder(BUFFER_STORE, sink, settings.batchSize()), PROCESSOR);
        topology.addSink(DLQ_SINK, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }
}
