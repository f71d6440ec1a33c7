package chat.projector.topology;

import chat.events.EventEnvelope;
import chat.projector.projection.Projection;
import chat.schemas.EventCodec;
import chat.schemas.EventDecodingException;
import chat.schemas.Topics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes each record of {@code chat.events}, validates it, and hands its row changes to the
 * task's {@link ProjectionBufferStore}; records that cannot be projected are forwarded unchanged
 * (key, value, headers) to the DLQ sink with {@code dlq.*} headers (an explicit CONTINUE-to-DLQ
 * decision) and still advance the checkpoint, so the partition keeps moving.
 *
 * <p>DLQ delivery is at-least-once: a rejected record is forwarded again when it is re-read
 * below the checkpoint after a crash, because the DLQ send of the first attempt may not have
 * been acknowledged when the shard's checkpoint passed it. Consumers of the DLQ de-duplicate by
 * {@code (dlq.partition, dlq.offset)}.
 */
final class ProjectorProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final String bufferStoreName;
    private final String dlqSinkName;
    private ProcessorContext<byte[], byte[]> context;
    private ProjectionBufferStore buffer;

    ProjectorProcessor(final String bufferStoreName, final String dlqSinkName) {
        this.bufferStoreName = bufferStoreName;
        this.dlqSinkName = dlqSinkName;
    }

    @Override
    public void init(final ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.buffer = context.getStateStore(bufferStoreName);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("record without metadata: the projector reads only from a source topic"));
        final int partition = meta.partition();
        final long offset = meta.offset();

        EventEnvelope envelope = null;
        Rejection rejection;
        try {
            envelope = EventCodec.decode(record.value());
            rejection = Rejection.check(record.key(), envelope);
        } catch (EventDecodingException e) {
            rejection = new Rejection(Rejection.DECODE_FAILED, e.getMessage());
        }

        if (rejection != null) {
            context.forward(toDlq(record, rejection, partition, offset), dlqSinkName);
            if (!buffer.isApplied(offset)) {
                buffer.append(offset, List.of());
            }
            return;
        }
        if (buffer.isApplied(offset)) {
            return; // already in the shard (replay after a crash or rebalance)
        }
        buffer.append(offset, Projection.project(envelope, partition, offset));
    }

    private static Record<byte[], byte[]> toDlq(final Record<byte[], byte[]> record, final Rejection rejection,
                                                final int partition, final long offset) {
        // Copy: the input record's headers must not change under other processors.
        final Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(Topics.DLQ_REASON).remove(Topics.DLQ_PARTITION).remove(Topics.DLQ_OFFSET)
                .remove(Topics.DLQ_COMPONENT);
        headers.add(Topics.DLQ_REASON, rejection.reason().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_COMPONENT, ProjectorTopology.COMPONENT.getBytes(StandardCharsets.UTF_8));
        return new Record<>(record.key(), record.value(), record.timestamp(), headers);
    }
}
