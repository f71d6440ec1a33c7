package chat.ingest.command;

import chat.ingest.append.Appended;
import chat.ingest.domain.DomainError;
import chat.ingest.domain.TeamView;

import java.util.List;

/** What became of a command. */
public sealed interface Outcome {
    /** Its events are in the log, in order, each at its position. */
    record Done(List<String> types, List<Appended> appended) implements Outcome {
    }

    /** It was already in effect: nothing appended. {@code view} is the state it was decided on. */
    record Unchanged(TeamView view) implements Outcome {
    }

    /** Refused by a domain rule: nothing appended. */
    record Refused(DomainError error, String message) implements Outcome {
    }
}
