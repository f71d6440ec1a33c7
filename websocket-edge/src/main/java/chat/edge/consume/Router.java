package chat.edge.consume;

import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.protocol.EventFrames;
import chat.edge.protocol.Frame;
import chat.events.EventEnvelope;
import chat.schemas.EventCodec;
import chat.schemas.EventDecodingException;
import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Routes one record of {@code chat.events} to the connections subscribed to its team: decodes it,
 * renders it once, offers the same frame to each subscriber. Runs on the consumer thread only.
 *
 * <p>Unreadable records: CONTINUE. A record without a team, with a value {@link EventCodec} cannot
 * decode, or whose envelope names another team than its key is counted
 * ({@code undecodableRecords}), logged (throttled) and not delivered; the edge is a view, the
 * projector owns the DLQ. Records of teams nobody on this edge subscribed to are not decoded at
 * all, so such records are counted only when some client would have received them.
 */
final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final String epoch;
    private final SubscriptionRegistry registry;
    private final EdgeStats stats;

    Router(final String epoch, final SubscriptionRegistry registry, final EdgeStats stats) {
        this.epoch = epoch;
        this.registry = registry;
        this.stats = stats;
    }

    /** Delivers one record; returns how many connections it was offered to. */
    int route(final ConsumerRecord<byte[], byte[]> record) {
        stats.recordConsumed();
        final String team = teamOf(record);
        if (team == null) {
            undeliverable(record, "no team key or header");
            return 0;
        }
        final Set<Connection> subscribers = registry.subscribers(team);
        if (subscribers.isEmpty()) {
            return 0;
        }
        final Frame frame;
        try {
            final EventEnvelope envelope = EventCodec.decode(record.value());
            if (!team.equals(envelope.getTeamId())) {
                undeliverable(record, "key names team " + team + " but the envelope names " + envelope.getTeamId());
                return 0;
            }
            frame = EventFrames.render(epoch, record.partition(), record.offset(), record.timestamp(), envelope);
        } catch (EventDecodingException e) {
            undeliverable(record, e.getMessage());
            return 0;
        } catch (RuntimeException e) {
            undeliverable(record, "cannot render: " + e);
            return 0;
        }
        stats.eventRendered();
        int offered = 0;
        for (Connection c : subscribers) {
            if (c.offer(frame)) {
                offered++;
            }
        }
        return offered;
    }

    private static String teamOf(final ConsumerRecord<byte[], byte[]> record) {
        if (record.key() != null) {
            return new String(record.key(), StandardCharsets.UTF_8);
        }
        final Header h = record.headers().lastHeader(Topics.HEADER_TEAM);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private void undeliverable(final ConsumerRecord<byte[], byte[]> record, final String reason) {
        final long n = stats.undecodableRecord();
        if (n <= 100 || n % 1000 == 0) {
            LOG.warn("not delivering record {}-{}@{} ({} undeliverable so far): {}", record.topic(),
                    record.partition(), record.offset(), n, reason);
        }
    }
}
