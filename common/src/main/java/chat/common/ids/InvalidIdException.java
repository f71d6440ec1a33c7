package chat.common.ids;

/** An id that does not match {@code [A-Za-z0-9_-]{1,64}}. */
public final class InvalidIdException extends IllegalArgumentException {
    private final String field;

    public InvalidIdException(final String field, final String value) {
        super(field + " must match [A-Za-z0-9_-]{1,64}, got " + describe(value));
        this.field = field;
    }

    /** The name of the offending field, e.g. {@code teamId}. */
    public String field() {
        return field;
    }

    private static String describe(final String value) {
        if (value == null) {
            return "nothing";
        }
        if (value.length() > 80) {
            return value.length() + " characters";
        }
        return "'" + value.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
