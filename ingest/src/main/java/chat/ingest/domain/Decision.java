package chat.ingest.domain;

import org.apache.avro.specific.SpecificRecord;

import java.util.List;

/** What the domain decided: events to append (possibly none: the command changes nothing), or a rejection. */
public sealed interface Decision {

    /**
     * Accepted. An empty list means the command was already in effect (idempotent no-op).
     *
     * @param payloads event payloads to append, in order, for the command's team
     */
    record Accepted(List<SpecificRecord> payloads) implements Decision {
        public Accepted {
            payloads = List.copyOf(payloads);
        }
    }

    /** Refused with a stable code; nothing is appended. */
    record Rejected(DomainError error, String message) implements Decision {
    }

    static Decision accept(final SpecificRecord... payloads) {
        return new Accepted(List.of(payloads));
    }

    static Decision unchanged() {
        return new Accepted(List.of());
    }

    static Decision reject(final DomainError error, final String message) {
        return new Rejected(error, message);
    }
}
