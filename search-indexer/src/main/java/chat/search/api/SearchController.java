package chat.search.api;

import chat.common.api.ErrorResponses;
import chat.common.auth.Identity;
import chat.search.SearchException;
import chat.search.SearchService;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.net.URI;
import java.util.Locale;

/**
 * {@code GET /api/v1/teams/{teamId}/search?q=&limit=&cursor=}: full-text search of one team,
 * answered by the instance that indexes the team's partition. Another instance checks the input,
 * then forwards the request (with the caller's token) to the owner named in
 * {@code chat.search.routes}; a forwarded request is never forwarded again.
 *
 * <pre>{@code
 * curl -H "Authorization: Bearer $TOKEN" 'localhost:8080/api/v1/teams/acme/search?q=deploy*+in:ops'
 * }</pre>
 */
@Secured(SecurityRule.IS_AUTHENTICATED)
@Controller("/api/v1/teams/{teamId}")
@ExecuteOn(TaskExecutors.BLOCKING)
@Requires(beans = SearchService.class)
class SearchController {
    /** Marks a request forwarded by another search instance. */
    static final String HOP_HEADER = "X-Chat-Search-Forwarded";

    private final SearchService service;
    private final Forwarder forwarder;

    SearchController(final SearchService service) {
        this.service = service;
        this.forwarder = new Forwarder(service.settings().forwardTimeout());
    }

    @Get(uri = "/search", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> search(final HttpRequest<?> request, @PathVariable final String teamId,
                                @Nullable @QueryValue("q") final String q, @Nullable @QueryValue("limit") final String limit,
                                @Nullable @QueryValue("cursor") final String cursor) {
        try {
            final String user = Identity.userOf(request).orElseThrow(() ->
                    new SearchException(401, "UNAUTHENTICATED", "search needs a valid bearer token"));
            service.validate(teamId, q, limit, cursor);
            final int partition = service.partitionOf(teamId);
            if (!service.indexes(partition)) {
                return forward(request, partition);
            }
            final SearchService.Answer a = service.search(teamId, user, q, limit, cursor);
            return HttpResponse.ok(a.json()).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header("Server-Timing", String.format(Locale.ROOT, "barrier;dur=%.3f, search;dur=%.3f",
                            a.barrierMicros() / 1000.0, a.searchMicros() / 1000.0));
        } catch (SearchException e) {
            return refusal(e);
        }
    }

    private HttpResponse<String> forward(final HttpRequest<?> request, final int partition) {
        final URI owner = service.routeOf(partition);
        if (owner == null || request.getHeaders().contains(HOP_HEADER)) {
            throw new SearchException(503, "SEARCH_PARTITION_UNAVAILABLE", "no search instance serving partition " + partition
                    + (owner == null ? " is configured (chat.search.routes)" : " answered: the owner forwarded it back"), 2);
        }
        return forwarder.forward(owner, request, HOP_HEADER);
    }

    static MutableHttpResponse<String> refusal(final SearchException e) {
        final MutableHttpResponse<String> r = ErrorResponses.of(HttpStatus.valueOf(e.status()), e.code(), e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            r.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        return r;
    }
}
