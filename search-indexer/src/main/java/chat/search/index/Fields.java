package chat.search.index;

/**
 * The index schema: one Lucene document per live message ({@link #KIND} = {@code msg}) and one
 * per access fact ({@code acl}: a team member, a channel, a channel member), all in the index of
 * the team's partition. Access facts live in the same index so that they are committed atomically
 * with the messages and the offset they reflect.
 */
public final class Fields {
    /** Unique key of every document: {@code m|team|message}, {@code tm|team|user}, {@code ch|team|channel}, {@code cm|team|channel|user}. */
    public static final String ID = "id";
    /** {@code msg} or {@code acl}. */
    public static final String KIND = "kind";
    public static final String TEAM = "team";
    public static final String CHANNEL = "channel";
    public static final String AUTHOR = "author";
    public static final String MESSAGE_ID = "message";
    /** Analyzed message text, stored, with offsets in the postings for highlighting. */
    public static final String TEXT = "text";
    /** Creation time, epoch millis: a point for ranges and a stored value. */
    public static final String CREATED = "created";
    public static final String EDITED = "edited";
    public static final String THREAD_ROOT = "root";
    public static final String REPLIES = "replies";
    /** {@code yes} when the message has at least one live reply. */
    public static final String HAS_THREAD = "has_thread";
    /** Offset of the MessagePosted event: doc values for the newest-first tie break and the cursor. */
    public static final String OFFSET = "offset";
    /** Access fact kind: {@code tm}, {@code ch}, {@code cm}. */
    public static final String ACL = "acl";
    /** Access facts' own stored fields (Lucene requires one schema per field name across documents). */
    public static final String FACT_TEAM = "fact_team";
    public static final String FACT_CHANNEL = "fact_channel";
    public static final String USER = "fact_user";
    public static final String PRIVATE = "fact_private";

    public static final String KIND_MESSAGE = "msg";
    public static final String KIND_ACL = "acl";

    private Fields() {
    }

    static String messageKey(final String team, final String message) {
        return "m|" + team + "|" + message;
    }
}
