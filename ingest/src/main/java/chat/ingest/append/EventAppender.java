package chat.ingest.append;

import chat.common.position.Position;
import chat.events.EventEnvelope;
import chat.schemas.EventCodec;
import chat.schemas.Events;
import chat.schemas.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Appends events to {@code chat.events}: key = teamId (UTF-8), value = Avro single-object
 * encoding, headers {@code team}, {@code channel}, {@code type}. The returned future completes
 * only when the broker acknowledged the record (the producer is idempotent with acks=all), so a
 * completed future is the only thing that may turn into an HTTP 2xx.
 *
 * <pre>{@code
 * appender.append(envelope).thenAccept(a -> respond201(a.position()));
 * }</pre>
 */
public final class EventAppender {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final EpochSource epochs;

    public EventAppender(final Producer<byte[], byte[]> producer, final String topic, final EpochSource epochs) {
        this.producer = producer;
        this.topic = topic;
        this.epochs = epochs;
    }

    /** Appends one event; the future fails with {@link AppendException} when the log did not take it. */
    public CompletableFuture<Appended> append(final EventEnvelope envelope) {
        final CompletableFuture<Appended> result = new CompletableFuture<>();
        final String epoch;
        try {
            epoch = epochs.epoch();
        } catch (AppendException e) {
            result.completeExceptionally(e);
            return result;
        }
        final RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_TEAM, utf8(envelope.getTeamId()));
        final String channel = Events.channelOf(envelope);
        if (channel != null) {
            headers.add(Topics.HEADER_CHANNEL, utf8(channel));
        }
        headers.add(Topics.HEADER_TYPE, utf8(Events.typeOf(envelope)));
        final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
                envelope.getOccurredAt().toEpochMilli(), utf8(envelope.getTeamId()), EventCodec.encode(envelope), headers);
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(failure(envelope, error));
                } else {
                    result.complete(new Appended(new Position(epoch, metadata.partition(), metadata.offset()),
                            metadata.timestamp()));
                }
            });
        } catch (KafkaException e) {
            // send() itself throws when metadata is unavailable past max.block.ms or the buffer is full.
            result.completeExceptionally(failure(envelope, e));
        }
        return result;
    }

    private AppendException failure(final EventEnvelope envelope, final Throwable error) {
        final boolean tooLarge = error instanceof RecordTooLargeException;
        final boolean transientFailure = error instanceof RetriableException || error instanceof TimeoutException;
        return new AppendException("append of event " + envelope.getEventId() + " (team=" + envelope.getTeamId()
                + ", topic=" + topic + ") failed: " + error, error, transientFailure, tooLarge);
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
