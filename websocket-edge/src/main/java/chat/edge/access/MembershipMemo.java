package chat.edge.access;

/**
 * A subscriber's memory of its team membership: whether it was a member when the team's member set
 * had stamp {@link #membersStamp()}. Lets {@link TeamView.Audience#includes(String, MembershipMemo)}
 * skip the member-set look-up while the set is unchanged. Read and written by one thread (the
 * consumer thread that routes the team's events).
 */
public interface MembershipMemo {
    /** The stamp remembered, 0 when none. */
    long membersStamp();

    /** Membership at {@link #membersStamp()}. */
    boolean teamMember();

    void remember(long membersStamp, boolean teamMember);
}
