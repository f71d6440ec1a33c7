package chat.common.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the verified-token cache ({@link VerifiedTokenCache}), bound from
 * {@code chat.auth.token-cache.*}; the defaults suit every service, so no service sets them.
 *
 * <pre>{@code
 * chat.auth.token-cache.max-entries: 10000
 * chat.auth.token-cache.max-age: 60s
 * }</pre>
 *
 * @param maxEntries tokens remembered at most, 0..1000000; 0 turns the cache off (every request
 *                   verifies its token's signature again)
 * @param maxAge     how long a verified token is trusted without verifying its signature again, even
 *                   when its {@code exp} is later; 1 s..1 h. Bounds how long a rotated-out JWKS key or
 *                   a replaced HS256 secret still lets its tokens in
 */
@ConfigurationProperties("chat.auth.token-cache")
public record TokenCacheSettings(
        @Bindable(defaultValue = "10000") int maxEntries,
        @Bindable(defaultValue = "60s") Duration maxAge) {

    public TokenCacheSettings {
        final List<String> problems = new ArrayList<>();
        if (maxEntries < 0 || maxEntries > 1_000_000) {
            problems.add("chat.auth.token-cache.max-entries must be 0..1000000, got " + maxEntries);
        }
        if (maxAge == null || maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(Duration.ofHours(1)) > 0) {
            problems.add("chat.auth.token-cache.max-age must be 1s..1h, got " + maxAge);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration:\n  - " + String.join("\n  - ", problems));
        }
    }
}
