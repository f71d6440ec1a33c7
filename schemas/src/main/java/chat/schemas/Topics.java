package chat.schemas;

/**
 * Names of the topics and record headers that are part of the platform's contract
 * (see ARCHITECTURE.md). Partition counts are configuration, chosen once at creation.
 *
 * <pre>{@code
 * consumer.subscribe(List.of(Topics.EVENTS));
 * }</pre>
 */
public final class Topics {
    /** The source of truth: every write, keyed by teamId, Avro single-object encoded. */
    public static final String EVENTS = "chat.events";
    /** Records of {@link #EVENTS} a consumer could not apply, with the reason in headers. */
    public static final String DLQ = "chat.events.dlq";

    /** Header: the team id (UTF-8), equal to the record key. */
    public static final String HEADER_TEAM = "team";
    /** Header: the channel id (UTF-8) for channel-scoped events, absent otherwise. */
    public static final String HEADER_CHANNEL = "channel";
    /** Header: the payload's record name, e.g. {@code MessagePosted}. */
    public static final String HEADER_TYPE = "type";

    /** DLQ header: why the record was rejected (human readable). */
    public static final String DLQ_REASON = "dlq.reason";
    /** DLQ header: the source partition, decimal. */
    public static final String DLQ_PARTITION = "dlq.partition";
    /** DLQ header: the source offset, decimal. */
    public static final String DLQ_OFFSET = "dlq.offset";
    /** DLQ header: which component rejected it, e.g. {@code projector}. */
    public static final String DLQ_COMPONENT = "dlq.component";

    private Topics() {
    }
}
