package chat.search.api;

import chat.search.SearchException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Sends a search to the instance that owns the team's partition and relays its answer as is
 * (status, body, {@code Retry-After}, {@code Server-Timing}). The caller's credentials go along:
 * the owner authenticates and authorizes the caller itself.
 */
final class Forwarder {
    private final HttpClient client;
    private final Duration timeout;

    Forwarder(final Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    HttpResponse<String> forward(final URI owner, final io.micronaut.http.HttpRequest<?> request, final String hopHeader) {
        final String pathAndQuery = request.getUri().getRawPath()
                + (request.getUri().getRawQuery() == null ? "" : "?" + request.getUri().getRawQuery());
        final HttpRequest.Builder b = HttpRequest.newBuilder(owner.resolve(pathAndQuery)).timeout(timeout).GET()
                .header(hopHeader, "1");
        final String auth = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (auth != null) {
            b.header(HttpHeaders.AUTHORIZATION, auth);
        }
        final java.net.http.HttpResponse<String> r;
        try {
            r = client.send(b.build(), BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new SearchException(503, "SEARCH_PARTITION_UNAVAILABLE", "the search instance " + owner + " did not answer within "
                    + timeout.toMillis() + " ms", 2);
        } catch (IOException e) {
            throw new SearchException(503, "SEARCH_PARTITION_UNAVAILABLE", "the search instance " + owner + " cannot be reached: " + e, 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SearchException(503, "SEARCH_PARTITION_UNAVAILABLE", "interrupted while forwarding", 2);
        }
        final MutableHttpResponse<String> out = HttpResponse.<String>status(HttpStatus.valueOf(r.statusCode()))
                .contentType(MediaType.APPLICATION_JSON_TYPE).body(r.body());
        r.headers().firstValue("Retry-After").ifPresent(v -> out.header("Retry-After", v));
        r.headers().firstValue("Server-Timing").ifPresent(v -> out.header("Server-Timing", v));
        out.header("X-Chat-Search-Served-By", owner.toString());
        return out;
    }
}
