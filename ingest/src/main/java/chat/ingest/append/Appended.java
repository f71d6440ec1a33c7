package chat.ingest.append;

import chat.common.position.Position;

/**
 * The broker's acknowledgement of one appended event.
 *
 * @param position    where the event now sits in the log
 * @param timestampMs the record's timestamp (append time as the producer stamped it)
 */
public record Appended(Position position, long timestampMs) {
}
