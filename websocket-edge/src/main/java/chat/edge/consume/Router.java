package chat.edge.consume;

import chat.edge.access.TeamView;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.Handoff;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.delivery.TeamStream;
import chat.edge.protocol.EventFrames;
import chat.edge.protocol.ErrorCode;
import chat.edge.protocol.Frame;
import chat.edge.protocol.ServerFrames;
import chat.events.EventEnvelope;
import chat.schemas.EventCodec;
import chat.schemas.EventDecodingException;
import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

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
    private final LogTails tails;
    private TeamViews views;

    Router(final String epoch, final SubscriptionRegistry registry, final EdgeStats stats, final LogTails tails) {
        this.epoch = epoch;
        this.registry = registry;
        this.stats = stats;
        this.tails = tails;
    }

    /**
     * Delivers one record; returns how many connections it was offered to. Holds the partition's
     * {@link LogTail} while appending and delivering, so a concurrent subscribe to a team of this
     * partition starts exactly before or after this record.
     */
    int route(final ConsumerRecord<byte[], byte[]> record) {
        stats.recordConsumed();
        final String team = teamOf(record);
        final LogTail tail = tails.get(record.partition());
        synchronized (tail) {
            final LogTail.Entry entry = tail.append(record.offset(), team, record.timestamp(), record.value());
            if (team == null) {
                entry.undeliverable = true;
                undeliverable(record.topic(), record.partition(), record.offset(), "no team key or header");
                return 0;
            }
            final TeamViews.Slot slot = views == null ? null : views.slot(team);
            final Collection<TeamStream> subscribers = registry.streams(team);
            if (subscribers.isEmpty()) {
                if (slot != null && !views.evictIfIdle(team, slot)) {
                    // A subscribe is loading or registering: keep the view in step with the log.
                    final EventEnvelope envelope = decode(tail.partition(), entry);
                    if (envelope != null) {
                        views.onEvent(slot, record.offset(), envelope);
                    }
                }
                return 0;
            }
            final EventEnvelope envelope = decode(tail.partition(), entry);
            if (envelope == null) {
                return 0;
            }
            TeamView.Audience audience = null;
            if (views != null) {
                audience = slot == null ? null : views.onEvent(slot, record.offset(), envelope);
                if (audience == null) {
                    // Subscribers always come after their team's view is ready; fail closed if not.
                    LOG.error("team {} has subscribers but no membership view at offset {}; not delivering", team,
                            record.offset());
                    return 0;
                }
            }
            final Frame frame = render(tail.partition(), entry, envelope);
            if (frame == null) {
                return 0;
            }
            tail.rendered(entry, frame);
            int offered = 0;
            // One burst: each event loop with subscribers of the team is woken once for this event.
            try (Handoff burst = Handoff.begin()) {
                for (TeamStream s : subscribers) {
                    if ((audience == null || audience.includes(s.connection().user(), s))
                            && s.live(record.offset(), frame)) {
                        offered++;
                    }
                }
            }
            if (audience != null && audience.leftTeam() != null) {
                for (Connection c : registry.subscribers(team)) {
                    if (audience.leftTeam().equals(c.user()) && registry.unsubscribe(c, team)) {
                        c.offer(ServerFrames.unsubscribed(team, null, ErrorCode.NOT_TEAM_MEMBER));
                    }
                }
            }
            return offered;
        }
    }

    /**
     * Renders a buffered record (once: the frame is kept by the caller), or returns {@code null}
     * and marks it undeliverable when it cannot be decoded or names another team than its key.
     */
    Frame render(final int partition, final LogTail.Entry entry) {
        if (entry.frame != null) {
            return entry.frame;
        }
        if (entry.undeliverable) {
            return null;
        }
        final EventEnvelope envelope = decode(partition, entry);
        return envelope == null ? null : render(partition, entry, envelope);
    }

    /**
     * Decodes a record of the entry's team (and notes its {@link TeamView.Scope}), or returns
     * {@code null} and marks it undeliverable (counted, logged).
     */
    EventEnvelope decode(final int partition, final LogTail.Entry entry) {
        if (entry.undeliverable) {
            return null;
        }
        try {
            final EventEnvelope envelope = EventCodec.decode(entry.value);
            if (!entry.team.equals(envelope.getTeamId())) {
                entry.undeliverable = true;
                undeliverable(Topics.EVENTS, partition, entry.offset, "key names team " + entry.team
                        + " but the envelope names " + envelope.getTeamId());
                return null;
            }
            entry.scope = TeamView.Scope.of(envelope);
            return envelope;
        } catch (EventDecodingException e) {
            entry.undeliverable = true;
            undeliverable(Topics.EVENTS, partition, entry.offset, e.getMessage());
            return null;
        } catch (RuntimeException e) {
            entry.undeliverable = true;
            undeliverable(Topics.EVENTS, partition, entry.offset, "cannot decode: " + e);
            return null;
        }
    }

    private Frame render(final int partition, final LogTail.Entry entry, final EventEnvelope envelope) {
        if (entry.frame != null) {
            return entry.frame;
        }
        try {
            final Frame frame = EventFrames.render(epoch, partition, entry.offset, entry.timestamp, envelope);
            stats.eventRendered();
            return frame;
        } catch (RuntimeException e) {
            entry.undeliverable = true;
            undeliverable(Topics.EVENTS, partition, entry.offset, "cannot render: " + e);
            return null;
        }
    }

    /** Renders one record of {@code team} or returns {@code null} (counted, logged) when it cannot. */
    Frame render(final String epoch, final int partition, final long offset, final long timestamp, final String team,
                 final byte[] value) {
        return render(partition, new LogTail.Entry(offset, team, timestamp, value));
    }

    /** The membership views, or {@code null} when every subscriber sees every event of its team. */
    TeamViews views() {
        return views;
    }

    /** Filters delivery by membership through {@code v} (set once, before the consumer runs). */
    void useViews(final TeamViews v) {
        this.views = v;
    }

    /** The partition of {@code team}. */
    int partitionOf(final String team) {
        return Resumer.partitionOf(team, tails.partitions());
    }

    String epoch() {
        return epoch;
    }

    LogTails tails() {
        return tails;
    }

    /** The team of a record: its key, else its {@code team} header, else {@code null}. */
    static String team(final ConsumerRecord<byte[], byte[]> record) {
        return teamOf(record);
    }

    private static String teamOf(final ConsumerRecord<byte[], byte[]> record) {
        if (record.key() != null) {
            return new String(record.key(), StandardCharsets.UTF_8);
        }
        final Header h = record.headers().lastHeader(Topics.HEADER_TEAM);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private void undeliverable(final String topic, final int partition, final long offset, final String reason) {
        final long n = stats.undecodableRecord();
        if (n <= 100 || n % 1000 == 0) {
            LOG.warn("not delivering record {}-{}@{} ({} undeliverable so far): {}", topic, partition, offset, n,
                    reason);
        }
    }
}
