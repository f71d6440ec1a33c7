package chat.edge.delivery;

import chat.edge.CloseCodes;
import chat.edge.access.MembershipMemo;
import chat.edge.protocol.Frame;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One connection's subscription to one team: the order and de-duplication of the team's events
 * on that connection, and the hand-off from catch-up (resume) to live delivery.
 *
 * <p>A team lives in one partition, so its events are ordered by offset. {@code after} is the
 * highest offset handed over (or deliberately skipped because the client already has it); an
 * event at or below it is a duplicate and is dropped. While a resume catches up, live events go
 * to a bounded pending queue instead of the socket; the catch-up worker hands over the missed
 * events, then drains the pending queue and switches the stream to live
 * ({@link #drainOrGoLive()}), so nothing is lost or doubled at the seam. A pending queue that
 * overflows closes the connection with {@link CloseCodes#SLOW_CONSUMER} (the client resumes later).
 *
 * <pre>{@code
 * TeamStream s = TeamStream.live(connection, "t1", lastRoutedOffset);
 * s.live(offset, frame);   // consumer thread
 * }</pre>
 */
public final class TeamStream implements MembershipMemo {
    /** A live event held back while the stream catches up. */
    public record Pending(long offset, Frame frame) {
    }

    private final Connection connection;
    private final String team;
    private final int maxPending;
    private long after;
    private ArrayDeque<Pending> pending;
    private volatile boolean cancelled;
    /** {@link MembershipMemo} state: touched only by the consumer thread that routes the team. */
    private long membersStamp;
    private boolean teamMember;

    private TeamStream(final Connection connection, final String team, final long after, final boolean catchingUp,
                       final int maxPending) {
        this.connection = connection;
        this.team = team;
        this.after = after;
        this.maxPending = maxPending;
        this.pending = catchingUp ? new ArrayDeque<>() : null;
    }

    /** A stream delivering live events with offsets above {@code after} (-1: every event). */
    public static TeamStream live(final Connection connection, final String team, final long after) {
        return new TeamStream(connection, team, after, false, 0);
    }

    /**
     * A stream that holds live events (at most {@code maxPending}) until its catch-up finishes;
     * events at or below {@code after} are dropped.
     */
    public static TeamStream catchingUp(final Connection connection, final String team, final long after,
                                        final int maxPending) {
        return new TeamStream(connection, team, after, true, maxPending);
    }

    public String team() {
        return team;
    }

    public Connection connection() {
        return connection;
    }

    /**
     * A live event from the consumer thread: delivered, held back (catching up) or dropped
     * (duplicate, cancelled).
     *
     * @return true when delivered or held back
     */
    public boolean live(final long offset, final Frame frame) {
        if (cancelled) {
            return false;
        }
        synchronized (this) {
            if (offset <= after) {
                return false;
            }
            if (pending != null) {
                if (pending.size() >= maxPending) {
                    pending.clear();
                    cancelled = true;
                    connection.close(CloseCodes.SLOW_CONSUMER, "too many live events while catching up");
                    return false;
                }
                pending.add(new Pending(offset, frame));
                return true;
            }
            after = offset;
        }
        // Offers of one stream never race: while live only the consumer thread offers.
        return connection.offer(frame);
    }

    /**
     * A caught-up event from the resume worker (offsets increase); dropped when at or below
     * {@code after}.
     *
     * @return true when handed to the socket
     */
    public boolean caughtUp(final long offset, final Frame frame) {
        synchronized (this) {
            if (cancelled || offset <= after) {
                return false;
            }
            after = offset;
        }
        return connection.offer(frame);
    }

    /**
     * Takes the live events held back so far (above {@code after}); when there are none, switches
     * the stream to live and returns an empty list. Called by the resume worker until it returns
     * empty.
     */
    public List<Pending> drainOrGoLive() {
        synchronized (this) {
            if (pending == null) {
                return List.of();
            }
            if (pending.isEmpty()) {
                pending = null;
                return List.of();
            }
            final List<Pending> out = List.copyOf(pending);
            pending.clear();
            return out;
        }
    }

    /** Stops delivery (unsubscribed or connection gone); idempotent. */
    public void cancel() {
        cancelled = true;
        synchronized (this) {
            if (pending != null) {
                pending.clear();
            }
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public long membersStamp() {
        return membersStamp;
    }

    @Override
    public boolean teamMember() {
        return teamMember;
    }

    @Override
    public void remember(final long stamp, final boolean member) {
        this.membersStamp = stamp;
        this.teamMember = member;
    }

    /** The highest offset handed over or skipped. */
    public synchronized long after() {
        return after;
    }

    /** True while live events are held back for a catch-up. */
    public synchronized boolean isCatchingUp() {
        return pending != null;
    }
}
