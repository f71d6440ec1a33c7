package chat.edge.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.Get;
import chat.common.shard.ShardDataSources;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/read-cache/stats}: the read cache's hit rate and counters, e.g.
 * <pre>{@code
 * {"enabled":true,"hits":950,"misses":50,"hitRate":0.95,"cold":20,"shallow":10,"unavailable":20,"errors":0,"fills":20,"fillsRefused":0,
 *  "channelList":{"hits":99,"misses":1,"hitRate":0.99,"cold":1,"shallow":0,"unavailable":0,"errors":0,"fills":1,"fillsRefused":0}}
 * }</pre>
 */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/api/v1/read-cache")
@Requires(beans = ShardDataSources.class)
final class ReadCacheStatsController {
    private static final JsonFactory JSON = new JsonFactory();
    private final ReadCacheStats stats;
    private final ReadController reads;

    ReadCacheStatsController(final ReadCacheStats stats, final ReadController reads) {
        this.stats = stats;
        this.reads = reads;
    }

    @Get(uri = "/stats", produces = MediaType.APPLICATION_JSON)
    String stats() {
        final StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("enabled", reads.cacheEnabled());
            g.writeNumberField("hits", stats.hits.sum());
            g.writeNumberField("misses", stats.misses());
            g.writeNumberField("hitRate", stats.hitRate());
            g.writeNumberField("cold", stats.cold.sum());
            g.writeNumberField("shallow", stats.shallow.sum());
            g.writeNumberField("unavailable", stats.unavailable.sum());
            g.writeNumberField("errors", stats.errors.sum());
            g.writeNumberField("fills", stats.fills.sum());
            g.writeNumberField("fillsRefused", stats.fillsRefused.sum());
            g.writeObjectFieldStart("channelList");
            g.writeNumberField("hits", stats.listHits.sum());
            g.writeNumberField("misses", stats.listMisses());
            g.writeNumberField("hitRate", stats.listHitRate());
            g.writeNumberField("cold", stats.listCold.sum());
            g.writeNumberField("shallow", stats.listShallow.sum());
            g.writeNumberField("unavailable", stats.listUnavailable.sum());
            g.writeNumberField("errors", stats.listErrors.sum());
            g.writeNumberField("fills", stats.listFills.sum());
            g.writeNumberField("fillsRefused", stats.listFillsRefused.sum());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
