package chat.edge.ws;

import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.SubscriptionRegistry;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.Get;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/edge/stats}: the edge's counters as one JSON object, e.g.
 * <pre>{@code
 * {"connections":2,"subscriptions":3,"teams":2,"framesSent":120,"queueOverflows":0,"undecodableRecords":0,...}
 * }</pre>
 */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/api/v1/edge")
@Requires(property = "chat.edge.enabled", notEquals = "false")
final class EdgeStatsController {
    private static final JsonFactory JSON = new JsonFactory();

    private final EdgeStats stats;
    private final SubscriptionRegistry registry;

    EdgeStatsController(final EdgeStats stats, final SubscriptionRegistry registry) {
        this.stats = stats;
        this.registry = registry;
    }

    @Get(uri = "/stats", produces = MediaType.APPLICATION_JSON)
    String stats() {
        final EdgeStats.Snapshot s = stats.snapshot();
        final StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("connections", s.connections());
            g.writeNumberField("subscriptions", s.subscriptions());
            g.writeNumberField("teams", registry.teamCount());
            g.writeNumberField("recordsConsumed", s.recordsConsumed());
            g.writeNumberField("eventsRendered", s.eventsRendered());
            g.writeNumberField("framesSent", s.framesSent());
            g.writeNumberField("bytesSent", s.bytesSent());
            g.writeNumberField("sendFailures", s.sendFailures());
            g.writeNumberField("queueOverflows", s.queueOverflows());
            g.writeNumberField("undecodableRecords", s.undecodableRecords());
            g.writeNumberField("protocolErrors", s.protocolErrors());
            g.writeNumberField("consumerErrors", s.consumerErrors());
            g.writeNumberField("resumesBuffer", s.resumesBuffer());
            g.writeNumberField("resumesLog", s.resumesLog());
            g.writeNumberField("resumesNone", s.resumesNone());
            g.writeNumberField("resyncs", s.resyncs());
            g.writeNumberField("recoveredEvents", s.recoveredEvents());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
