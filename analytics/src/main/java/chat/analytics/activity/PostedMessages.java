package chat.analytics.activity;

import chat.events.EventEnvelope;
import chat.events.MessagePosted;
import chat.schemas.EventCodec;
import chat.schemas.EventDecodingException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes each value of {@code chat.events} once, keeps only {@code MessagePosted} and forwards its
 * channel id with the record timestamp set to the event's {@code occurredAt} (business time), so the
 * windows downstream are on event time. The key (team id) is unchanged, hence no repartition.
 * Undecodable values are skipped and counted ({@link DecodeFailures}); an unknown writer schema stops
 * the job unless {@link ActivitySettings#failOnUnknownSchema()} is off.
 */
final class PostedMessages implements FixedKeyProcessor<String, byte[], String> {
    private final DecodeFailures failures;
    private final boolean failOnUnknownSchema;
    private FixedKeyProcessorContext<String, String> context;

    PostedMessages(final DecodeFailures failures, final boolean failOnUnknownSchema) {
        this.failures = failures;
        this.failOnUnknownSchema = failOnUnknownSchema;
    }

    @Override
    public void init(final FixedKeyProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(final FixedKeyRecord<String, byte[]> record) {
        final EventEnvelope envelope;
        try {
            envelope = EventCodec.decode(record.value());
        } catch (EventDecodingException e) {
            final RecordMetadata at = context.recordMetadata().orElse(null);
            final String where = at == null ? "?" : at.topic() + "-" + at.partition() + "@" + at.offset();
            if (failOnUnknownSchema && e.getCause() instanceof MissingSchemaException) {
                throw new AnalyticsException("record " + where + " was written with a schema this build does not know ("
                        + e.getMessage() + "); upgrade the analytics job to the writers' schema version (this build knows v1..v"
                        + EventCodec.CURRENT_VERSION + ") and restart it: it resumes at this record", e);
            }
            failures.skipped(at == null ? "?" : at.topic(), at == null ? -1 : at.partition(), at == null ? -1 : at.offset(),
                    e.getMessage());
            return;
        }
        if (envelope.getPayload() instanceof MessagePosted posted) {
            context.forward(record.withValue(posted.getChannelId()).withTimestamp(envelope.getOccurredAt().toEpochMilli()));
        }
    }
}
