package chat.edge.ws;

import chat.common.auth.VerifiedTokenCache;
import chat.edge.delivery.EdgeStats;
import chat.edge.read.ReadCacheStats;
import io.micronaut.core.annotation.Nullable;
import chat.edge.delivery.SubscriptionRegistry;
import io.micronaut.http.annotation.Controller;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/**
 * {@code GET /prometheus}: the edge's figures in the Prometheus text exposition format (0.0.4),
 * built from {@link EdgeStats} (no metrics library on the hot path). Rates such as frames/s are
 * the scraper's {@code rate(chat_edge_frames_sent_total[1m])}.
 *
 * <pre>{@code
 * chat_edge_connections 2
 * chat_edge_frames_sent_total 120
 * chat_edge_delivery_latency_ms_bucket{le="10"} 97
 * chat_edge_resumes_total{kind="buffer"} 3
 * chat_read_cache_reads_total{read="history",result="hit"} 950
 * chat_auth_token_cache_lookups_total{result="hit"} 4000
 * }</pre>
 * The read API's cache counters and the verified-token cache's are included where those exist; a
 * process without the edge ({@code chat.edge.enabled=false}) serves only those.
 */
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller
final class PrometheusController {
    private final EdgeStats stats;
    private final SubscriptionRegistry registry;
    private final chat.edge.presence.PresenceService presence;
    private final ReadCacheStats reads;
    private final VerifiedTokenCache tokens;

    PrometheusController(@Nullable final EdgeStats stats, @Nullable final SubscriptionRegistry registry,
                         @Nullable final chat.edge.presence.PresenceService presence,
                         @Nullable final ReadCacheStats reads, @Nullable final VerifiedTokenCache tokens) {
        this.stats = stats;
        this.registry = registry;
        this.presence = presence;
        this.reads = reads;
        this.tokens = tokens;
    }

    @Get("/prometheus")
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    String scrape() {
        // The edge's figures when this process runs the edge (chat.edge.enabled), the read API's anyway.
        final StringBuilder b = new StringBuilder(stats != null && registry != null ? render(stats, registry) : "");
        if (presence != null) {
            counter(b, "chat_edge_presence_suppressed_total",
                    "Presence changes not pushed: team above chat.edge.presence.max-broadcast-members.",
                    presence.suppressedPresenceChanges());
        }
        if (reads != null) {
            reads.appendPrometheus(b);
        }
        if (tokens != null) {
            final VerifiedTokenCache.Stats t = tokens.stats();
            b.append("# HELP chat_auth_token_cache_lookups_total Bearer tokens looked up in the verified-token cache.\n")
                    .append("# TYPE chat_auth_token_cache_lookups_total counter\n")
                    .append("chat_auth_token_cache_lookups_total{result=\"hit\"} ").append(t.hits()).append('\n')
                    .append("chat_auth_token_cache_lookups_total{result=\"miss\"} ").append(t.misses()).append('\n');
            counter(b, "chat_auth_token_cache_evictions_total", "Verified tokens dropped to keep the cache bounded.",
                    t.evictions());
            gauge(b, "chat_auth_token_cache_entries", "Verified tokens held.", t.size());
        }
        return b.toString();
    }

    static String render(final EdgeStats stats, final SubscriptionRegistry registry) {
        final EdgeStats.Snapshot s = stats.snapshot();
        final StringBuilder b = new StringBuilder(2048);
        gauge(b, "chat_edge_connections", "Open WebSocket connections.", s.connections());
        gauge(b, "chat_edge_subscriptions", "(connection, team) subscriptions.", s.subscriptions());
        gauge(b, "chat_edge_teams", "Teams with at least one subscriber on this edge.", registry.teamCount());
        counter(b, "chat_edge_records_consumed_total", "Records read from chat.events.", s.recordsConsumed());
        counter(b, "chat_edge_events_rendered_total", "Events rendered (once each).", s.eventsRendered());
        counter(b, "chat_edge_frames_sent_total", "Frames written to sockets.", s.framesSent());
        counter(b, "chat_edge_bytes_sent_total", "Payload bytes written to sockets.", s.bytesSent());
        counter(b, "chat_edge_send_failures_total", "Frames the transport failed to write.", s.sendFailures());
        counter(b, "chat_edge_queue_overflows_total", "Connections closed as slow consumers (4008).",
                s.queueOverflows());
        counter(b, "chat_edge_undecodable_records_total", "Records not delivered (undecodable, misrouted).",
                s.undecodableRecords());
        counter(b, "chat_edge_protocol_errors_total", "Client frames refused.", s.protocolErrors());
        counter(b, "chat_edge_consumer_errors_total", "Failed Kafka polls.", s.consumerErrors());
        b.append("# HELP chat_edge_resumes_total Subscribes with since, by how they recovered.\n")
                .append("# TYPE chat_edge_resumes_total counter\n")
                .append("chat_edge_resumes_total{kind=\"buffer\"} ").append(s.resumesBuffer()).append('\n')
                .append("chat_edge_resumes_total{kind=\"log\"} ").append(s.resumesLog()).append('\n')
                .append("chat_edge_resumes_total{kind=\"none\"} ").append(s.resumesNone()).append('\n')
                .append("chat_edge_resumes_total{kind=\"resync\"} ").append(s.resyncs()).append('\n');
        counter(b, "chat_edge_recovered_events_total", "Events replayed by resumes.", s.recoveredEvents());
        b.append("# HELP chat_edge_refused_connections_total Connections closed at open.\n")
                .append("# TYPE chat_edge_refused_connections_total counter\n")
                .append("chat_edge_refused_connections_total{reason=\"unauthorized\"} ")
                .append(stats.refusedUnauthorized()).append('\n')
                .append("chat_edge_refused_connections_total{reason=\"limit\"} ")
                .append(stats.refusedLimit()).append('\n');
        final EdgeStats.Latency l = stats.latency();
        b.append("# HELP chat_edge_delivery_latency_ms Log append time to event frame written, in ms.\n")
                .append("# TYPE chat_edge_delivery_latency_ms histogram\n");
        long cumulative = 0;
        for (int i = 0; i < EdgeStats.LATENCY_BUCKETS_MS.length; i++) {
            cumulative += l.counts()[i];
            b.append("chat_edge_delivery_latency_ms_bucket{le=\"").append(EdgeStats.LATENCY_BUCKETS_MS[i])
                    .append("\"} ").append(cumulative).append('\n');
        }
        cumulative += l.counts()[EdgeStats.LATENCY_BUCKETS_MS.length];
        b.append("chat_edge_delivery_latency_ms_bucket{le=\"+Inf\"} ").append(cumulative).append('\n')
                .append("chat_edge_delivery_latency_ms_sum ").append(l.sumMs()).append('\n')
                .append("chat_edge_delivery_latency_ms_count ").append(cumulative).append('\n');
        return b.toString();
    }

    private static void gauge(final StringBuilder b, final String name, final String help, final long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n');
    }

    private static void counter(final StringBuilder b, final String name, final String help, final long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(v).append('\n');
    }
}
