package chat.dev.it;

import chat.dev.DevStack;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** JWTs for test users, signed with the test stack's secret (one per user per test JVM). */
public final class Tokens {
    private static final Map<String, String> BY_USER = new ConcurrentHashMap<>();

    private Tokens() {
    }

    /** A token of the shared test stack for {@code user}, valid for hours. */
    public static String token(final String user) {
        return token(TestStack.get(), user);
    }

    /** A token {@code stack} accepts for {@code user} (a test with its own stack has its own secret). */
    public static String token(final DevStack stack, final String user) {
        return BY_USER.computeIfAbsent(stack.authProperties().get(chat.common.auth.DevTokens.SECRET_PROPERTY) + "|" + user,
                k -> stack.tokens().mint(user, Duration.ofHours(6)));
    }

    /** The {@code Authorization} header value for {@code user} on the shared test stack. */
    public static String bearer(final String user) {
        return "Bearer " + token(user);
    }

    /** The {@code Authorization} header value for {@code user} on {@code stack}. */
    public static String bearer(final DevStack stack, final String user) {
        return "Bearer " + token(stack, user);
    }
}
