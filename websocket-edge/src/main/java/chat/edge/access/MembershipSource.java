package chat.edge.access;

/** Loads a team's membership at a consistent point (the shard in production, a map in tests). */
@FunctionalInterface
public interface MembershipSource {
    /**
     * @param partition the team's partition of {@code chat.events}
     * @throws Exception when the source cannot be read (the subscribe is refused, the client retries)
     */
    MembershipSnapshot load(String team, int partition) throws Exception;
}
