package chat.ingest.abuse;

import chat.common.api.ErrorResponses;
import chat.common.auth.Identity;
import chat.common.ids.Ids;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.InetSocketAddress;

/**
 * Applies {@link RateLimiter} to every write of the API (POST, PUT, PATCH, DELETE under
 * {@code /api/v1/teams}) before anything else runs: over the limit answers
 * {@code 429 RATE_LIMITED} with {@code Retry-After} (seconds, rounded up) and changes nothing.
 */
@ServerFilter(value = "/api/v1/teams/**", methods = {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE})
// Writes only, and not at all when the limits are off: the filter's hop to the blocking executor (its
// Redis call blocks) would otherwise cost every read, and every write of a deployment without limits.
@Requires(property = "chat.ingest.rate-limit.enabled", notEquals = "false")
final class RateLimitFilter {
    private final RateLimiter limiter;
    private final RateLimitSettings settings;

    RateLimitFilter(final RateLimiter limiter, final RateLimitSettings settings) {
        this.limiter = limiter;
        this.settings = settings;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    HttpResponse<String> limit(final HttpRequest<?> request) {
        final HttpMethod method = request.getMethod();
        if (!settings.enabled() || method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            return null;
        }
        final String user = Identity.userOf(request).orElse(null);
        final InetSocketAddress remote = request.getRemoteAddress();
        final String ip = remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
        final RateLimiter.Verdict verdict = limiter.take(settings.buckets(user, ip,
                teamOf(request.getPath())));
        if (verdict.allowed()) {
            return null;
        }
        final long seconds = Math.max(1, (verdict.retryAfterMs() + 999) / 1000);
        return ErrorResponses.of(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED",
                        "too many writes; retry after " + verdict.retryAfterMs() + " ms")
                .header("Retry-After", Long.toString(seconds));
    }

    /** The team of {@code /api/v1/teams/{teamId}/...}, or null (creating a team, or an invalid id rejected later). */
    static String teamOf(final String path) {
        final String prefix = "/api/v1/teams/";
        if (!path.startsWith(prefix)) {
            return null;
        }
        final int end = path.indexOf('/', prefix.length());
        final String team = end < 0 ? path.substring(prefix.length()) : path.substring(prefix.length(), end);
        return Ids.isValid(team) ? team : null;
    }
}
