package chat.dev.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JWTs for bench users from the dev stack's {@code POST /api/v1/dev/tokens} (the bench runs
 * against {@code ./chat dev}, which mints them; a production deployment has no such route).
 * Cached per base URL and user; {@link #prefetch} fetches many in one call before a timed phase.
 */
public final class BenchTokens {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
    private static final Pattern PAIR = Pattern.compile("\"([A-Za-z0-9_-]{1,64})\":\"([A-Za-z0-9_.-]+)\"");
    private static final int BATCH = 1_000;
    private static final int MAX_QUERY_CHARS = 3_500;

    private BenchTokens() {
    }

    /** The token of {@code user} (fetched once). */
    public static String token(final String baseUrl, final String user) {
        final String cached = CACHE.get(baseUrl + "|" + user);
        if (cached != null) {
            return cached;
        }
        prefetch(baseUrl, List.of(user));
        return CACHE.get(baseUrl + "|" + user);
    }

    /** {@code Bearer <token>} of {@code user}. */
    public static String bearer(final String baseUrl, final String user) {
        return "Bearer " + token(baseUrl, user);
    }

    /** Fetches the tokens of {@code users} not cached yet, up to {@value #BATCH} per request (fewer for long names). */
    public static void prefetch(final String baseUrl, final Collection<String> users) {
        final List<String> missing = users.stream().filter(u -> !CACHE.containsKey(baseUrl + "|" + u)).distinct().toList();
        for (int from = 0; from < missing.size(); ) {
            // the request line must stay under the server's limit (Netty: 4096 bytes), whatever the names
            final StringBuilder q = new StringBuilder("?ttlSeconds=86400");
            final int first = from;
            while (from < missing.size() && from - first < BATCH && q.length() < MAX_QUERY_CHARS) {
                q.append("&user=").append(URLEncoder.encode(missing.get(from++), StandardCharsets.UTF_8));
            }
            final HttpResponse<String> r;
            try {
                r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/dev/tokens" + q))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException("bench: cannot get tokens from " + baseUrl + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("bench: " + baseUrl + "/api/v1/dev/tokens answered " + r.statusCode()
                        + " (the bench needs the dev stack, ./chat dev): " + r.body());
            }
            final Matcher m = PAIR.matcher(r.body());
            while (m.find()) {
                CACHE.put(baseUrl + "|" + m.group(1), m.group(2));
            }
        }
    }
}
