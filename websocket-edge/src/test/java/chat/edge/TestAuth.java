package chat.edge;

import chat.common.auth.DevTokens;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The edge tests' JWT secret and tokens signed with it. */
public final class TestAuth {
    /** Accepted by every edge these tests start. */
    public static final String SECRET = DevTokens.randomSecret();
    private static final DevTokens TOKENS = new DevTokens(SECRET);

    private TestAuth() {
    }

    /** A token for {@code user}. */
    public static String token(final String user) {
        return TOKENS.mint(user, Duration.ofHours(1));
    }

    /** A token for {@code user} valid for {@code ttl}. */
    public static String token(final String user, final Duration ttl) {
        return TOKENS.mint(user, ttl);
    }

    /** Key/value pairs (as {@code Map.of}) plus the JWT secret. */
    public static Map<String, Object> with(final Object... keyValues) {
        final Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        m.put(DevTokens.SECRET_PROPERTY, SECRET);
        return m;
    }
}
