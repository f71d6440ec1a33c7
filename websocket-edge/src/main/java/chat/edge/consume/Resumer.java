package chat.edge.consume;

import chat.edge.CloseCodes;
import chat.edge.ResumeSettings;
import chat.edge.access.TeamView;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.delivery.TeamStream;
import chat.edge.protocol.ClientCommand;
import chat.edge.protocol.ErrorCode;
import chat.edge.protocol.Frame;
import chat.edge.protocol.ResyncCode;
import chat.edge.protocol.ServerFrames;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Subscribes a connection to a team, resuming from the client's last position when it gives one.
 *
 * <ul>
 *   <li>No {@code since}: live from the next record of the team's partition; the reply names the
 *       position live delivery starts after ({@code recovered: none}).</li>
 *   <li>{@code since} in another epoch or another partition than the team's: {@code resync}.</li>
 *   <li>{@code since} inside this edge's buffer of the partition: the missed events are replayed
 *       from memory under the partition's monitor, then live ({@code recovered: buffer}).</li>
 *   <li>Older: the subscription is registered in catch-up mode (live events held back), a worker
 *       reads the team's events in {@code (since, next)} from the log with a short-lived assigned
 *       consumer, hands them over with flow control, then drains the held-back live events and
 *       goes live ({@code recovered: log}). Above {@code max-events} events or {@code max-scan}
 *       records: {@code resync TOO_FAR_BEHIND}.</li>
 *   <li>{@code since} ahead of this edge (another edge already delivered it): live events up to
 *       it are skipped; if it is at or beyond the log end, {@code resync OFFSET_BEYOND_END}.</li>
 * </ul>
 *
 * <pre>{@code
 * resumer.subscribe(connection, new ClientCommand.Subscribe("t1", new ClientCommand.Since(epoch, 3, 41), "r1"));
 * }</pre>
 */
public final class Resumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resumer.class);

    private final Router router;
    private final LogTails tails;
    private final SubscriptionRegistry registry;
    private final EdgeStats stats;
    private final QueueLimits limits;
    private final ResumeSettings settings;
    private final String topic;
    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final BlockingQueue<Consumer<byte[], byte[]>> pool;
    private final List<Consumer<byte[], byte[]>> created = new ArrayList<>();
    private volatile boolean closed;

    Resumer(final Router router, final SubscriptionRegistry registry, final EdgeStats stats, final QueueLimits limits,
            final ResumeSettings settings, final String topic, final Supplier<Consumer<byte[], byte[]>> consumers) {
        this.router = router;
        this.tails = router.tails();
        this.registry = registry;
        this.stats = stats;
        this.limits = limits;
        this.settings = settings;
        this.topic = topic;
        this.consumers = consumers;
        this.pool = new ArrayBlockingQueue<>(settings.concurrency());
    }

    /** The epoch of the log this edge reads. */
    public String epoch() {
        return router.epoch();
    }

    /** The partition of {@code chat.events} holding {@code team} (Kafka's default partitioner on the UTF-8 key). */
    public int partitionOf(final String team) {
        return partitionOf(team, tails.partitions());
    }

    static int partitionOf(final String team, final int partitions) {
        return Utils.toPositive(Utils.murmur2(team.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The next offset this edge will route in {@code partition} (for tests and stats). */
    public long tailNext(final int partition) {
        return tails.get(partition).next();
    }

    /** Handles a subscribe command (limits already checked); replies on the connection. */
    public void subscribe(final Connection c, final ClientCommand.Subscribe cmd) {
        subscribe(c, cmd, null);
    }

    /**
     * Handles a subscribe command for the connection's user, filtered by {@code view}: refused with
     * {@code NOT_TEAM_MEMBER} unless the user is a team member (checked again under the partition's
     * monitor, where the subscription is registered), and replayed events are those the user may see
     * now ({@link TeamView#mayReplay}). {@code null}: no filter.
     */
    public void subscribe(final Connection c, final ClientCommand.Subscribe cmd, final TeamView view) {
        final String team = cmd.teamId();
        if (view != null && !view.isTeamMember(c.user())) {
            notMember(c, cmd);
            return;
        }
        final ClientCommand.Since since = cmd.since();
        final int partition = partitionOf(team);
        if (since != null) {
            if (!since.epoch().equals(epoch())) {
                resync(c, cmd, ResyncCode.EPOCH_MISMATCH, "position is of epoch " + since.epoch() + ", this log is "
                        + epoch());
                return;
            }
            if (since.partition() != partition) {
                resync(c, cmd, ResyncCode.WRONG_PARTITION, "team " + team + " lives in partition " + partition
                        + ", not " + since.partition());
                return;
            }
        }
        final LogTail tail = tails.get(partition);
        final TeamStream catchingUp;
        final long upTo;
        synchronized (tail) {
            final long last = tail.next() - 1;
            if (view != null && !view.isTeamMember(c.user())) {
                notMember(c, cmd);
                return;
            }
            if (c.stream(team) != null) {
                c.offer(ServerFrames.subscribed(team, cmd.id(), "none", 0, since, null));
                return;
            }
            if (since == null) {
                if (c.offer(ServerFrames.subscribed(team, cmd.id(), "none", 0, null,
                        new ClientCommand.Since(epoch(), partition, last)))) {
                    registry.subscribe(c, TeamStream.live(c, team, last));
                }
                return;
            }
            final long s = since.offset();
            if (s <= last && s + 1 >= tail.coverFrom()) {
                final List<LogTail.Entry> missed = tail.entriesOf(team, s);
                if (missed.size() <= Math.min(settings.maxBufferReplay(), limits.maxFrames() / 2)) {
                    final List<Frame> frames = new ArrayList<>(missed.size());
                    for (LogTail.Entry e : missed) {
                        final Frame f = router.render(partition, e);
                        if (f != null && (view == null || view.mayReplay(c.user(), e.scope))) {
                            frames.add(f);
                        }
                    }
                    if (!c.offer(ServerFrames.subscribed(team, cmd.id(), "buffer", frames.size(), since, null))) {
                        return;
                    }
                    for (Frame f : frames) {
                        if (!c.offer(f)) {
                            return;
                        }
                    }
                    registry.subscribe(c, TeamStream.live(c, team, last));
                    stats.resumed("buffer", frames.size());
                    return;
                }
            }
            // Log path (or the client is ahead of this edge): hold live events until caught up.
            catchingUp = TeamStream.catchingUp(c, team, s, settings.maxPending());
            if (registry.subscribe(c, catchingUp) != SubscriptionRegistry.Result.ADDED) {
                return;
            }
            upTo = last + 1;
        }
        final TopicPartition tp = new TopicPartition(topic, partition);
        Thread.ofVirtual().name("edge-resume-" + c.id()).start(() -> catchUp(c, cmd, catchingUp, tp, upTo, view));
    }

    private void notMember(final Connection c, final ClientCommand.Subscribe cmd) {
        c.offer(ServerFrames.error(ErrorCode.NOT_TEAM_MEMBER, "user " + c.user() + " is not a member of team "
                + cmd.teamId(), cmd.id()));
    }

    private void catchUp(final Connection c, final ClientCommand.Subscribe cmd, final TeamStream stream,
                         final TopicPartition tp, final long upTo, final TeamView view) {
        final long deadline = System.nanoTime() + settings.timeout().toNanos();
        final long s = cmd.since().offset();
        Consumer<byte[], byte[]> consumer = null;
        try {
            String kind = "none";
            List<LogTail.Entry> missed = List.of();
            if (s >= upTo - 1) {
                if (s >= upTo) {
                    // This edge has not consumed the client's position yet: does it exist at all?
                    consumer = acquire(deadline);
                    final long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                    if (s >= end) {
                        abandon(c, cmd, stream, ResyncCode.OFFSET_BEYOND_END, "offset " + s + " is at or beyond the end "
                                + end + " of partition " + tp.partition());
                        return;
                    }
                }
            } else {
                if (upTo - (s + 1) > settings.maxScan()) {
                    abandon(c, cmd, stream, ResyncCode.TOO_FAR_BEHIND, (upTo - s - 1)
                            + " records to scan, more than chat.edge.resume.max-scan " + settings.maxScan());
                    return;
                }
                consumer = acquire(deadline);
                try {
                    missed = read(consumer, tp, s + 1, upTo, stream.team(), deadline);
                } catch (OffsetOutOfRangeException e) {
                    abandon(c, cmd, stream, ResyncCode.OFFSET_BEFORE_START, "offset " + (s + 1)
                            + " is no longer in the log");
                    return;
                }
                if (missed == null) {
                    abandon(c, cmd, stream, ResyncCode.TOO_FAR_BEHIND, "more than chat.edge.resume.max-events "
                            + settings.maxEvents() + " missed events");
                    return;
                }
                kind = "log";
            }
            release(consumer);
            consumer = null;
            final List<Frame> frames = new ArrayList<>(missed.size());
            final List<Long> offsets = new ArrayList<>(missed.size());
            for (LogTail.Entry e : missed) {
                final Frame f = router.render(tp.partition(), e);
                if (f != null && (view == null || view.mayReplay(c.user(), e.scope))) {
                    frames.add(f);
                    offsets.add(e.offset);
                }
            }
            if (!c.offer(ServerFrames.subscribed(stream.team(), cmd.id(), kind, frames.size(), cmd.since(), null))) {
                return;
            }
            for (int i = 0; i < frames.size(); i++) {
                if (!awaitRoom(c, deadline)) {
                    return;
                }
                stream.caughtUp(offsets.get(i), frames.get(i));
            }
            // Hand-off: drain what the consumer thread held back meanwhile, until nothing is left.
            while (!stream.isCancelled()) {
                final List<TeamStream.Pending> held = stream.drainOrGoLive();
                if (held.isEmpty()) {
                    break;
                }
                for (TeamStream.Pending p : held) {
                    if (!awaitRoom(c, deadline)) {
                        return;
                    }
                    stream.caughtUp(p.offset(), p.frame());
                }
            }
            stats.resumed(kind, frames.size());
        } catch (RuntimeException e) {
            LOG.warn("resume of team {} for {} failed: {}", stream.team(), c.id(), e.toString());
            registry.unsubscribe(c, stream.team());
            c.close(CloseCodes.INTERNAL_ERROR, "resume failed");
        } finally {
            if (consumer != null) {
                release(consumer);
            }
        }
    }

    /**
     * The records of {@code team} in {@code [from, upTo)}, or {@code null} when there are more than
     * {@code max-events}.
     */
    private List<LogTail.Entry> read(final Consumer<byte[], byte[]> consumer, final TopicPartition tp, final long from,
                                     final long upTo, final String team, final long deadline) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        final List<LogTail.Entry> out = new ArrayList<>();
        while (consumer.position(tp) < upTo) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + tp + " [" + from + ", " + upTo + ") took longer than "
                        + settings.timeout().toMillis() + " ms");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= upTo) {
                    break;
                }
                if (team.equals(Router.team(r))) {
                    out.add(new LogTail.Entry(r.offset(), team, r.timestamp(), r.value()));
                    if (out.size() > settings.maxEvents()) {
                        return null;
                    }
                }
            }
        }
        return out;
    }

    private boolean awaitRoom(final Connection c, final long deadline) {
        while (c.queuedFrames() >= limits.maxFrames() / 2 || c.queuedBytes() >= limits.maxBytes() / 2) {
            if (c.isTerminated()) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                c.close(CloseCodes.SLOW_CONSUMER, "slow consumer: catch-up did not drain");
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return !c.isTerminated();
    }

    private void abandon(final Connection c, final ClientCommand.Subscribe cmd, final TeamStream stream,
                         final ResyncCode code, final String message) {
        registry.unsubscribe(c, stream.team());
        resync(c, cmd, code, message);
    }

    private void resync(final Connection c, final ClientCommand.Subscribe cmd, final ResyncCode code,
                        final String message) {
        stats.resync();
        c.offer(ServerFrames.resync(cmd.teamId(), code, message, cmd.id()));
    }

    private Consumer<byte[], byte[]> acquire(final long deadline) {
        Consumer<byte[], byte[]> c = pool.poll();
        if (c != null) {
            return c;
        }
        synchronized (created) {
            if (closed) {
                throw new IllegalStateException("edge is shutting down");
            }
            if (created.size() < settings.concurrency()) {
                c = consumers.get();
                created.add(c);
                return c;
            }
        }
        try {
            c = pool.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (c == null) {
            throw new IllegalStateException("no log reader free within " + settings.timeout().toMillis() + " ms");
        }
        return c;
    }

    private void release(final Consumer<byte[], byte[]> c) {
        if (c == null) {
            return;
        }
        try {
            c.unsubscribe();
        } catch (RuntimeException e) {
            LOG.debug("resetting a log reader failed: {}", e.toString());
        }
        pool.offer(c);
    }

    @Override
    public void close() {
        synchronized (created) {
            closed = true;
            for (Consumer<byte[], byte[]> c : created) {
                try {
                    c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
                } catch (RuntimeException e) {
                    LOG.debug("closing a log reader failed: {}", e.toString());
                }
            }
            created.clear();
        }
    }
}
