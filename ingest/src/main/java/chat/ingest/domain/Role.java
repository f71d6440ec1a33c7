package chat.ingest.domain;

/** A user's role in a team. */
public enum Role {
    MEMBER, ADMIN;

    /** The role as stored in events and rows: {@code member} or {@code admin}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses the stored form; unknown values are members (least privilege). */
    public static Role fromWire(final String value) {
        return "admin".equals(value) ? ADMIN : MEMBER;
    }
}
