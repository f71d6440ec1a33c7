package chat.projector.topology;

import chat.events.EventEnvelope;
import chat.projector.projection.Projection;
import chat.projector.projection.RowChange;
import chat.schemas.EventCodec;
import chat.schemas.EventDecodingException;

import java.util.List;

/**
 * What the projector's processor does with one record of {@code chat.events}, without Kafka
 * Streams: decode, validate ({@link Rejection}), project ({@link Projection}). Replays outside the
 * topology (chatctl's verify and shard rebuild) use it so they apply exactly the projector's rules.
 *
 * <pre>{@code
 * RecordProjection.Result r = RecordProjection.of(record.key(), record.value(), record.partition(), record.offset());
 * batch.addAll(r.changes());   // empty when rejected or not projected: still advances the checkpoint
 * }</pre>
 */
public final class RecordProjection {
    private RecordProjection() {
    }

    /**
     * @param changes   the row changes in apply order (one event may give several), empty when the
     *                  event has no row (not projected, or rejected)
     * @param rejection {@code CODE: detail} when the projector would send the record to the DLQ, else null
     */
    public record Result(List<RowChange> changes, String rejection) {
        public Result {
            changes = List.copyOf(changes);
        }
    }

    /** The projector's outcome for the record at {@code (partition, offset)}. */
    public static Result of(final byte[] key, final byte[] value, final int partition, final long offset) {
        final EventEnvelope envelope;
        final Rejection rejection;
        try {
            envelope = EventCodec.decode(value);
            rejection = Rejection.check(key, envelope);
        } catch (EventDecodingException e) {
            return new Result(List.of(), new Rejection(Rejection.DECODE_FAILED, e.getMessage()).reason());
        }
        if (rejection != null) {
            return new Result(List.of(), rejection.reason());
        }
        return new Result(Projection.project(envelope, partition, offset), null);
    }
}
