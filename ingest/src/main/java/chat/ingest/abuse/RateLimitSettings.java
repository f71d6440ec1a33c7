package chat.ingest.abuse;

import java.util.ArrayList;
import java.util.List;

/**
 * Write limits per user, per client IP and per team ({@code chat.ingest.rate-limit.*}). A rate of
 * zero disables that limit; {@code enabled=false} disables all. Rates are writes per second
 * refilled continuously; bursts are how many writes may come at once after a quiet period.
 */
public record RateLimitSettings(boolean enabled, double userPerSecond, int userBurst, double ipPerSecond, int ipBurst,
                                double teamPerSecond, int teamBurst) {
    public RateLimitSettings {
        final List<String> problems = new ArrayList<>();
        check(problems, "user", userPerSecond, userBurst);
        check(problems, "ip", ipPerSecond, ipBurst);
        check(problems, "team", teamPerSecond, teamBurst);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid rate limits:\n  - " + String.join("\n  - ", problems));
        }
    }

    private static void check(final List<String> problems, final String name, final double rate, final int burst) {
        if (rate < 0) {
            problems.add("chat.ingest.rate-limit." + name + "-per-second must be >= 0, got " + rate);
        }
        if (rate > 0 && burst < 1) {
            problems.add("chat.ingest.rate-limit." + name + "-burst must be >= 1, got " + burst);
        }
    }

    /** The buckets one write takes from; {@code teamId} may be null (creating a team). */
    List<RateLimiter.Bucket> buckets(final String user, final String ip, final String teamId) {
        final List<RateLimiter.Bucket> out = new ArrayList<>(3);
        if (!enabled) {
            return out;
        }
        if (userPerSecond > 0 && user != null) {
            out.add(new RateLimiter.Bucket("rl:u:" + user, userPerSecond, userBurst));
        }
        if (ipPerSecond > 0 && ip != null) {
            out.add(new RateLimiter.Bucket("rl:ip:" + ip, ipPerSecond, ipBurst));
        }
        if (teamPerSecond > 0 && teamId != null) {
            out.add(new RateLimiter.Bucket("rl:t:" + teamId, teamPerSecond, teamBurst));
        }
        return out;
    }
}
