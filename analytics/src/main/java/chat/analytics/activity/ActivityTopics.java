package chat.analytics.activity;

import java.util.Objects;

/**
 * The job's input and output topics, built once from configuration and passed in.
 *
 * <pre>{@code
 * ActivityTopics.defaults()   // chat.events -> analytics.channel-activity
 * }</pre>
 *
 * @param events the platform's log ({@code chat.events}): key team id UTF-8, value Avro single-object encoded
 * @param output the job's output ({@code analytics.channel-activity}): key and value UTF-8 strings
 */
public record ActivityTopics(String events, String output) {
    /** The output topic of the platform's example job. */
    public static final String CHANNEL_ACTIVITY = "analytics.channel-activity";

    public ActivityTopics {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(output, "output");
        if (events.equals(output)) {
            throw new IllegalArgumentException("input and output topic are the same: " + events);
        }
    }

    public static ActivityTopics defaults() {
        return new ActivityTopics(chat.schemas.Topics.EVENTS, CHANNEL_ACTIVITY);
    }
}
