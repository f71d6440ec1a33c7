package chat.search.api;

import chat.search.SearchException;
import chat.search.SearchService;
import chat.search.index.PartitionIndex;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Operator endpoints of this search instance, guarded by the shared secret
 * {@code chat.search.admin-token} in {@code X-Chat-Admin-Token} (empty token: endpoints off, 404):
 * <ul>
 *   <li>{@code GET /api/v1/search/status}: per partition applied/searchable/committed offsets, log end, lag, documents;</li>
 *   <li>{@code POST /api/v1/search/partitions/{p}/rebuild}: wipe the partition's index and replay it from offset 0 (202);</li>
 *   <li>{@code GET /api/v1/search/partitions/{p}/checksum?waitMs=}: once caught up with the log end, the document
 *       counts and an order-independent checksum of every stored field (rebuild equals live when equal).</li>
 * </ul>
 */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/api/v1/search")
@ExecuteOn(TaskExecutors.BLOCKING)
@Requires(beans = SearchService.class)
class SearchAdminController {
    static final String TOKEN_HEADER = "X-Chat-Admin-Token";
    private final SearchService service;

    SearchAdminController(final SearchService service) {
        this.service = service;
    }

    @Get(uri = "/status", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> status(@Nullable @Header(TOKEN_HEADER) final String token) {
        try {
            authorize(token);
            return HttpResponse.ok(service.status()).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (SearchException e) {
            return SearchController.refusal(e);
        }
    }

    @Post(uri = "/partitions/{partition}/rebuild", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> rebuild(@PathVariable final String partition, @Nullable @Header(TOKEN_HEADER) final String token) {
        try {
            authorize(token);
            final int p = partition(partition);
            service.rebuild(p).get(30, TimeUnit.SECONDS);
            return HttpResponse.accepted().contentType(MediaType.APPLICATION_JSON_TYPE)
                    .body("{\"partition\":" + p + ",\"rebuilding\":true}");
        } catch (SearchException e) {
            return SearchController.refusal(e);
        } catch (ExecutionException | TimeoutException e) {
            return SearchController.refusal(new SearchException(503, "SEARCH_UNAVAILABLE", "rebuild of partition " + partition
                    + " did not start: " + e, 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SearchController.refusal(new SearchException(503, "SEARCH_UNAVAILABLE", "interrupted", 2));
        }
    }

    @Get(uri = "/partitions/{partition}/checksum", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> checksum(@PathVariable final String partition, @Nullable @QueryValue("waitMs") final String waitMs,
                                  @Nullable @Header(TOKEN_HEADER) final String token) {
        try {
            authorize(token);
            final int p = partition(partition);
            long wait = 30_000;
            if (waitMs != null) {
                try {
                    wait = Long.parseLong(waitMs);
                } catch (NumberFormatException e) {
                    wait = -1;
                }
                if (wait < 0 || wait > 600_000) {
                    throw new SearchException(400, "INVALID_FIELD", "waitMs must be 0..600000");
                }
            }
            final PartitionIndex.Checksum c = service.checksum(p, Duration.ofMillis(wait));
            return HttpResponse.ok("{\"partition\":" + p + ",\"messages\":" + c.messages() + ",\"facts\":" + c.facts()
                    + ",\"checksum\":\"" + c.checksum() + "\",\"offset\":" + c.searchableNext() + "}")
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (SearchException e) {
            return SearchController.refusal(e);
        }
    }

    private void authorize(final String token) {
        final String expected = service.settings().adminToken();
        if (expected.isEmpty()) {
            throw new SearchException(404, "ADMIN_DISABLED", "search admin endpoints are off (chat.search.admin-token is empty)");
        }
        if (token == null) {
            throw new SearchException(401, "ADMIN_TOKEN_REQUIRED", "send the admin token in " + TOKEN_HEADER);
        }
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            throw new SearchException(403, "ADMIN_TOKEN_INVALID", "wrong admin token");
        }
    }

    private static int partition(final String raw) {
        try {
            final int p = Integer.parseInt(raw);
            if (p >= 0) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new SearchException(400, "INVALID_PARTITION", "partition must be a partition number, got " + raw);
    }
}
