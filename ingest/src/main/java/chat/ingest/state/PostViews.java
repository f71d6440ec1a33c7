package chat.ingest.state;

import chat.ingest.domain.Command;
import chat.ingest.domain.TeamView;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The views plain posts were accepted on, kept so that the next post of the same author to the same
 * channel is decided without a round trip to the shard. A view is a snapshot of the read model at
 * its shard checkpoint {@code C} (read in the same statement). It stays good while nothing that
 * could refuse a post happened in its team at an offset at or after {@code C}; the ingest learns
 * of such events from the log itself ({@link RestrictionFeed}: every event type but a few additive
 * ones counts) and from its own acknowledged writes ({@link AppliedOffsets#requiredForPosts}).
 *
 * <p>So a post decided here sees the team as of the feed's position, as a post decided on the shard
 * sees it as of the projector's: both trail the log a little, and a refused post is always decided
 * again on the shard once it has caught up with this instance's writes. Views are used only
 * while the feed is live (it polled within {@code liveness} and is not catching up), only when
 * loaded at or after the feed's start offset (no unseen stretch of the log between the snapshot and
 * the feed), and for at most {@code maxAge}.
 *
 * <p>Memory is bounded: at most {@code maxEntries} views and as many teams with a remembered
 * restriction; past that, views are evicted in hash order, and remembered restrictions are
 * folded into one per-partition bound (every older view of that partition is then reloaded once).
 */
public final class PostViews {
    /** What the cache is keyed by: who posts where. */
    private record Key(String teamId, String channelId, String actorId) {
    }

    private record Entry(TeamView view, int partition, long checkpoint, long loadedNanos) {
    }

    /** Counters since start: views used, loads from the shard, views found stale, lookups while the feed was not live. */
    public record Stats(long hits, long misses, long stale, long bypassed, int entries) {
    }

    private final int partitions;
    private final int maxEntries;
    private final long maxAgeNanos;
    private final long livenessNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    /** Per team: the offset after its latest event that may refuse a post, as the feed saw it. */
    private final ConcurrentHashMap<String, Long> restrictedUpTo = new ConcurrentHashMap<>();
    /** Per partition: a bound for restrictions no longer remembered per team (trimmed). */
    private final AtomicLongArray forgottenUpTo;
    /** Per partition: the first offset the feed reads; {@link Long#MAX_VALUE} until known. */
    private final AtomicLongArray feedStart;
    private volatile long lastPollNanos;
    private volatile boolean caughtUp;
    private volatile boolean feedStopped = true;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder bypassed = new LongAdder();

    /**
     * @param partitions the partition count of the log
     * @param maxEntries the most views (and teams with a remembered restriction) kept
     * @param maxAgeNanos how long a view is used at most
     * @param livenessNanos how long after the feed's last poll views are still used
     * @param nanoClock {@link System#nanoTime()} outside tests
     */
    public PostViews(final int partitions, final int maxEntries, final long maxAgeNanos, final long livenessNanos,
                     final LongSupplier nanoClock) {
        if (partitions < 1 || maxEntries < 1 || maxAgeNanos <= 0 || livenessNanos <= 0) {
            throw new IllegalArgumentException("post views need partitions, max entries, max age and liveness > 0, got "
                    + partitions + ", " + maxEntries + ", " + maxAgeNanos + ", " + livenessNanos);
        }
        this.partitions = partitions;
        this.maxEntries = maxEntries;
        this.maxAgeNanos = maxAgeNanos;
        this.livenessNanos = livenessNanos;
        this.nanoClock = nanoClock;
        this.forgottenUpTo = new AtomicLongArray(partitions);
        this.feedStart = new AtomicLongArray(partitions);
        for (int p = 0; p < partitions; p++) {
            feedStart.set(p, Long.MAX_VALUE);
        }
    }

    /** Posts decided on a kept view: plain posts (no thread reply, no clientMessageId, whose retries need the message looked up). */
    public static boolean applies(final Command command) {
        return command instanceof Command.PostMessage p && p.threadRootId() == null && p.clientMessageId() == null;
    }

    /**
     * The kept view for {@code post}, or {@code null} when there is none that is still good:
     * {@code requiredForPosts} is the offset this instance's own restricting writes reached.
     */
    public TeamView get(final Command.PostMessage post, final int partition, final long requiredForPosts) {
        if (!isLive()) {
            bypassed.increment();
            return null;
        }
        final Key key = new Key(post.teamId(), post.channelId(), post.actorId());
        final Entry e = entries.get(key);
        if (e == null) {
            misses.increment();
            return null;
        }
        if (!current(post.teamId(), partition, e.checkpoint, requiredForPosts) || nanoClock.getAsLong() - e.loadedNanos > maxAgeNanos) {
            entries.remove(key, e);
            stale.increment();
            return null;
        }
        hits.increment();
        return e.view;
    }

    /**
     * Keeps {@code view}, on which {@code post} was accepted, read from the shard at {@code checkpoint}
     * (the shard's next offset to apply in the same snapshot), unless it is already older than
     * what the feed or this instance's writes know, or loaded before the feed started.
     */
    public void offer(final Command.PostMessage post, final int partition, final TeamView view, final long checkpoint,
                      final long requiredForPosts) {
        if (!isLive() || !current(post.teamId(), partition, checkpoint, requiredForPosts)) {
            return;
        }
        entries.put(new Key(post.teamId(), post.channelId(), post.actorId()), new Entry(view, partition, checkpoint, nanoClock.getAsLong()));
        if (entries.size() > maxEntries) {
            evict(entries.keySet().iterator(), entries.size() - maxEntries * 7 / 8);
        }
    }

    /**
     * The feed starts reading {@code partition} at {@code offset}. When it starts again elsewhere
     * (it lost its place), every view of that partition is dropped: the feed did not see what lies
     * between, and a log that went backwards is not the one the views were read from.
     */
    public void feedStarted(final int partition, final long offset) {
        final long before = feedStart.getAndSet(partition, offset);
        if (before != Long.MAX_VALUE && offset != before) {
            entries.values().removeIf(e -> e.partition == partition);
        }
    }

    /** The feed read an event at {@code offset} of {@code teamId}'s partition that may refuse later posts. */
    public void restricted(final String teamId, final int partition, final long offset) {
        restrictedUpTo.merge(teamId, offset + 1, Math::max);
        if (restrictedUpTo.size() > maxEntries) {
            trimRestrictions();
        }
    }

    /** The feed finished a poll; {@code caughtUp}: it returned less than a full batch. */
    public void feedPolled(final boolean caughtUp) {
        this.caughtUp = caughtUp;
        this.lastPollNanos = nanoClock.getAsLong();
        this.feedStopped = false;
    }

    /** The feed stopped (shutdown or a failure it retries): no view is used until it polls again. */
    public void feedStopped() {
        this.feedStopped = true;
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), stale.sum(), bypassed.sum(), entries.size());
    }

    /** Whether views are used now: the feed polled within the liveness bound, caught up. */
    public boolean isLive() {
        return !feedStopped && caughtUp && nanoClock.getAsLong() - lastPollNanos <= livenessNanos;
    }

    /**
     * Whether a snapshot of {@code teamId}'s partition at {@code checkpoint} still shows everything that
     * could refuse a post: read at or after the feed's start, and after this instance's own restricting
     * writes and every restriction the feed saw in the team (or forgot in the partition).
     */
    private boolean current(final String teamId, final int partition, final long checkpoint, final long requiredForPosts) {
        final Long team = restrictedUpTo.get(teamId);
        return checkpoint >= feedStart.get(partition) && checkpoint >= requiredForPosts
                && checkpoint >= (team == null ? 0L : team) && checkpoint >= forgottenUpTo.get(partition);
    }

    /** Folds every remembered restriction into its partition's bound and forgets the teams. */
    private void trimRestrictions() {
        final Iterator<java.util.Map.Entry<String, Long>> it = restrictedUpTo.entrySet().iterator();
        while (it.hasNext()) {
            final java.util.Map.Entry<String, Long> r = it.next();
            final int p = chat.common.kafka.TeamPartitioner.partitionOf(r.getKey(), partitions);
            // raise the bound first: between the two steps the team is covered twice, never not at all
            forgottenUpTo.accumulateAndGet(p, r.getValue(), Math::max);
            it.remove();
        }
    }

    private static void evict(final Iterator<Key> keys, final int count) {
        for (int i = 0; i < count && keys.hasNext(); i++) {
            keys.next();
            keys.remove();
        }
    }
}
