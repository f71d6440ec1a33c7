package chat.common.ids;

import java.util.regex.Pattern;

/**
 * The one rule for every id in a URL, an event or a key: {@code [A-Za-z0-9_-]{1,64}}.
 *
 * <pre>{@code
 * String team = Ids.require("teamId", raw); // throws InvalidIdException
 * }</pre>
 */
public final class Ids {
    /** Ids are 1 to 64 characters of ASCII letters, digits, '_' and '-'. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Ids() {
    }

    /** True when {@code value} is a valid id. */
    public static boolean isValid(final String value) {
        return value != null && PATTERN.matcher(value).matches();
    }

    /** Returns {@code value} when valid, else throws {@link InvalidIdException} naming the field. */
    public static String require(final String field, final String value) {
        if (!isValid(value)) {
            throw new InvalidIdException(field, value);
        }
        return value;
    }
}
