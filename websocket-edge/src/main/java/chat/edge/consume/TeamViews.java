package chat.edge.consume;

import chat.edge.access.MembershipSnapshot;
import chat.edge.access.MembershipSource;
import chat.edge.access.TeamView;
import chat.events.EventEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The membership views of the teams this edge's clients subscribe to, one per team, shared by
 * all its subscribers, kept in step with the log by the consumer thread.
 *
 * <p><b>Loading without a race.</b> The first subscribe to a team creates its slot under the
 * partition's {@link LogTail} monitor, noting where the consumer stands ({@code startAt}); from
 * then on the consumer keeps every event of the team in the slot's pending list. The loader then
 * reads the membership from the shard with the partition's checkpoint {@code C} (same
 * transaction), and, under the monitor again:
 * <ul>
 *   <li>{@code C >= startAt}: the snapshot already holds every event below {@code C}; pending
 *       events at or above {@code C} are applied on top (those below are skipped);</li>
 *   <li>{@code C < startAt} (the projector is behind the edge) and the tail buffer still covers
 *       {@code [C, startAt)}: those events are replayed from the buffer, then the pending ones;</li>
 *   <li>otherwise the loader reads the shard again a moment later (the projector moves on);</li>
 *   <li>{@code C} beyond what the consumer has routed (the edge is behind the projector): the
 *       loader waits for the consumer to reach {@code C}, so the view never runs ahead of the
 *       events it filters.</li>
 * </ul>
 * The view is then ready: it reflects exactly the events the consumer routed, and each later event
 * is applied before it is delivered, so a membership change takes effect from the next event on,
 * even within one poll batch. A view without subscribers and without a subscribe in progress is
 * dropped at its team's next event; the next subscribe loads it again.
 */
final class TeamViews {
    private static final Logger LOG = LoggerFactory.getLogger(TeamViews.class);

    /** Thrown when a team's view cannot be loaded in time; the subscribe is refused. */
    static final class Unavailable extends Exception {
        Unavailable(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    /** One team's view and its loading state; guarded by the partition's tail monitor. */
    static final class Slot {
        final String team;
        final long startAt;
        final CompletableFuture<TeamView> ready = new CompletableFuture<>();
        TeamView view;
        List<Pending> pending = new ArrayList<>();
        int users;

        Slot(final String team, final long startAt) {
            this.team = team;
            this.startAt = startAt;
        }
    }

    private record Pending(long offset, EventEnvelope envelope) {
    }

    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final LogTails tails;
    private final Router router;
    private final MembershipSource source;
    private final Duration timeout;
    private final int maxPending;

    /**
     * @param timeout    longest a subscribe waits for its team's view
     * @param maxPending live events of a team kept while its view loads; beyond, the load fails
     */
    TeamViews(final Router router, final MembershipSource source, final Duration timeout, final int maxPending) {
        this.router = router;
        this.tails = router.tails();
        this.source = source;
        this.timeout = timeout;
        this.maxPending = maxPending;
    }

    /** The team's slot or {@code null}; the caller holds the team's tail monitor. */
    Slot slot(final String team) {
        return slots.get(team);
    }

    /**
     * An event of the slot's team from the consumer thread (tail monitor held): applied to a ready
     * view (returns who receives it) or kept while loading (returns {@code null}).
     */
    TeamView.Audience onEvent(final Slot slot, final long offset, final EventEnvelope envelope) {
        if (slot.view != null) {
            return slot.view.apply(offset, envelope);
        }
        if (slot.pending.size() >= maxPending) {
            fail(slot, new IllegalStateException("more than " + maxPending + " events of team " + slot.team
                    + " arrived while its membership loaded"));
            return null;
        }
        slot.pending.add(new Pending(offset, envelope));
        return null;
    }

    /** Drops a ready view nobody uses (tail monitor held); true when dropped. */
    boolean evictIfIdle(final String team, final Slot slot) {
        if (slot.view != null && slot.users == 0) {
            slots.remove(team, slot);
            return true;
        }
        return false;
    }

    /** The team's view when loaded (e.g. a team some connection is subscribed to), else {@code null}. */
    TeamView readyView(final String team) {
        final Slot s = slots.get(team);
        return s == null || !s.ready.isDone() || s.ready.isCompletedExceptionally() ? null : s.ready.join();
    }

    /** Views held (for stats and tests). */
    int size() {
        return slots.size();
    }

    /**
     * The team's ready view, loading it if needed (blocks up to the timeout; call off the socket's
     * event loop). The caller must {@link #release} it once its subscription is registered or refused.
     */
    TeamView acquire(final String team) throws Unavailable {
        final int partition = router.partitionOf(team);
        final LogTail tail = tails.get(partition);
        final Slot slot;
        final boolean loader;
        synchronized (tail) {
            final Slot existing = slots.get(team);
            if (existing != null) {
                slot = existing;
                loader = false;
            } else {
                slot = new Slot(team, tail.next());
                slots.put(team, slot);
                loader = true;
            }
            slot.users++;
        }
        if (loader) {
            load(slot, partition, tail);
        }
        try {
            return slot.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            release(team, slot);
            throw new Unavailable("membership of team " + team + " unavailable: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            release(team, slot);
            throw new Unavailable("membership of team " + team + " not loaded within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(team, slot);
            throw new Unavailable("interrupted", e);
        }
    }

    /** Ends one {@link #acquire}. */
    void release(final String team) {
        final Slot slot = slots.get(team);
        if (slot != null) {
            release(team, slot);
        }
    }

    private void release(final String team, final Slot slot) {
        synchronized (tails.get(router.partitionOf(team))) {
            slot.users = Math.max(0, slot.users - 1);
        }
    }

    private void load(final Slot slot, final int partition, final LogTail tail) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        MembershipSnapshot snapshot = null;
        try {
            while (!slot.ready.isDone()) {
                if (snapshot == null) {
                    snapshot = source.load(slot.team, partition);
                }
                synchronized (tail) {
                    if (slot.ready.isDone()) {
                        return; // failed meanwhile (too many pending events)
                    }
                    final long c = snapshot.nextOffset();
                    if (c <= tail.next()) {
                        if (c >= slot.startAt) {
                            ready(slot, TeamView.of(slot.team, snapshot), List.of());
                            return;
                        }
                        if (tail.coverFrom() <= c) {
                            ready(slot, TeamView.of(slot.team, snapshot), tail.entriesOf(slot.team, c - 1));
                            return;
                        }
                        snapshot = null; // the buffer lost [C, startAt): read again once the projector moved on
                    }
                    // else: the edge has not routed up to C yet; keep the snapshot and wait for it
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the read model of partition " + partition + " and this edge did"
                            + " not meet within " + timeout.toMillis() + " ms (edge at " + tail.next() + ")");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } catch (Exception e) {
            LOG.warn("cannot load the membership of team {}: {}", slot.team, e.toString());
            synchronized (tail) {
                fail(slot, e);
            }
        }
    }

    /** Applies the buffered then the pending events and publishes the view; tail monitor held. */
    private void ready(final Slot slot, final TeamView view, final List<LogTail.Entry> buffered) {
        for (LogTail.Entry e : buffered) {
            final EventEnvelope envelope = router.decode(tails.get(router.partitionOf(slot.team)).partition(), e);
            if (envelope != null) {
                view.apply(e.offset, envelope);
            }
        }
        for (Pending p : slot.pending) {
            view.apply(p.offset(), p.envelope());
        }
        slot.pending = null;
        slot.view = view;
        slot.ready.complete(view);
    }

    private void fail(final Slot slot, final Exception e) {
        slots.remove(slot.team, slot);
        slot.pending = List.of();
        slot.ready.completeExceptionally(e);
    }
}
