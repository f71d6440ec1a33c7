package chat.ingest.command;

import chat.events.EventEnvelope;
import chat.ingest.append.Appended;
import chat.ingest.append.EventAppender;
import chat.ingest.domain.Command;
import chat.ingest.domain.Decider;
import chat.ingest.domain.Decision;
import chat.ingest.domain.DomainError;
import chat.ingest.domain.TeamView;
import chat.ingest.state.AppliedOffsets;
import chat.ingest.state.PostViews;
import chat.ingest.state.ShardStateReader;
import chat.schemas.EventCodec;
import org.apache.avro.specific.SpecificRecord;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one command: reads the state the command needs from the team's shard, decides, and appends
 * the resulting events (in order, same team, so one partition). Commands first wait until the shard
 * shows this instance's own earlier writes (read-your-writes), except posts: a post decides on the
 * read model as it is and waits only when rejected in a way those writes could explain ("no such
 * channel" right after creating it), so a stream of posts never waits for the projector. A plain
 * post is decided on the view the author's previous post to that channel was accepted on, while
 * {@link PostViews} says nothing that could refuse it happened since (the log and this instance's
 * own writes tell it), and reads the shard otherwise.
 * Blocking for the read: call it from a blocking executor.
 *
 * <p>Events of one decision are sent back to back to one partition and normally travel in one
 * producer batch, which the broker appends atomically.
 *
 * <pre>{@code
 * Outcome o = service.execute(new Command.JoinChannel("bob", "acme", "general")).join();
 * }</pre>
 */
public final class CommandService {
    private final ShardStateReader state;
    private final AppliedOffsets applied;
    private final EventAppender appender;
    private final Clock clock;
    private final Duration consistencyTimeout;
    private final Claims claims;
    private final PostViews postViews;

    /** @param postViews views plain posts are decided on without reading the shard, or {@code null} for none */
    public CommandService(final ShardStateReader state, final AppliedOffsets applied, final EventAppender appender,
                          final Clock clock, final Duration consistencyTimeout, final Claims claims, final PostViews postViews) {
        this.postViews = postViews;
        this.state = state;
        this.applied = applied;
        this.appender = appender;
        this.clock = clock;
        this.consistencyTimeout = consistencyTimeout;
        this.claims = claims;
    }

    /**
     * Decides and appends.
     *
     * @throws StateUnavailableException when the state cannot be read now
     */
    public CompletableFuture<Outcome> execute(final Command command) {
        final long deadline = System.nanoTime() + consistencyTimeout.toNanos();
        // Posts and read markers, the hot paths, decide on the read model as it is and wait for this
        // instance's own writes only when rejected; every other command waits first (join twice =>
        // unchanged).
        boolean caughtUp = !decidesOnReadModelAsIs(command);
        while (true) {
            final Read read = read(command, caughtUp);
            final TeamView view = read.view();
            final Decision decision = Decider.decide(command, view);
            final boolean retryFresher = !caughtUp;
            switch (decision) {
                case Decision.Rejected r when retryFresher && mayBeStale(r.error()) -> {
                    // Perhaps this instance's own earlier write (create, join, post...) is not in
                    // the read model yet: wait for it, then decide again.
                    caughtUp = true;
                }
                case Decision.Rejected r -> {
                    return CompletableFuture.completedFuture(new Outcome.Refused(r.error(), r.message()));
                }
                case Decision.Accepted a when a.payloads().isEmpty() -> {
                    return CompletableFuture.completedFuture(new Outcome.Unchanged(view));
                }
                case Decision.Accepted a -> {
                    if (read.checkpoint() >= 0) {
                        // a plain post accepted on a view fresh from the shard: the next one may use it
                        postViews.offer((Command.PostMessage) command, read.partition(), view, read.checkpoint(),
                                applied.requiredForPosts(read.partition()));
                    }
                    final var claim = claims.take(command);
                    if (claim.isPresent()) {
                        return append(command, a.payloads()).whenComplete((done, error) -> {
                            if (error != null) {
                                claim.get().release(); // nothing appended: the id is free again
                            }
                        });
                    }
                    // Another writer holds the claim: its write is in flight or not yet projected.
                    // Decide again on fresher state (it will show the winner's write).
                    if (System.nanoTime() > deadline) {
                        throw new StateUnavailableException("another writer's " + command.getClass().getSimpleName()
                                + " for team " + command.teamId() + " is not in the read model after "
                                + consistencyTimeout.toMillis() + " ms", null, true);
                    }
                    LockSupport.parkNanos(10_000_000L);
                }
            }
        }
    }

    /**
     * Commands decided on the read model as it is. A post is accepted on a read model that misses
     * this instance's additive writes (it waits only for those that restrict posts). A read marker
     * never moves backwards (the projection keeps the greater one), and a stale read model only
     * shows an older marker, so deciding early gives the same final state: a mark-read no-op on the
     * fresh state is a no-op on the stale one or an event the projection ignores.
     */
    static boolean decidesOnReadModelAsIs(final Command command) {
        return command instanceof Command.PostMessage || command instanceof Command.MarkRead;
    }

    /**
     * Rejections that a read model missing this instance's own recent writes could cause
     * ("no such channel" right after creating it). Accepting on a slightly old read model is
     * harmless (every projection is idempotent and order-guarded), so only these wait.
     */
    static boolean mayBeStale(final DomainError error) {
        return switch (error) {
            case TEAM_NOT_FOUND, NOT_TEAM_MEMBER, NOT_TEAM_ADMIN, USER_NOT_TEAM_MEMBER, CHANNEL_NOT_FOUND,
                 NOT_CHANNEL_MEMBER, MESSAGE_NOT_FOUND, THREAD_ROOT_NOT_FOUND -> true;
            default -> false;
        };
    }

    /**
     * A view to decide on; {@code checkpoint} >= 0 when it is a plain post's view read from the shard
     * at that checkpoint (it may be kept in {@link PostViews} once accepted), -1 otherwise.
     */
    private record Read(TeamView view, int partition, long checkpoint) {
    }

    private Read read(final Command command, final boolean catchUp) {
        final int partition = state.partitionOf(command.teamId());
        // Posts first wait only for this instance's writes that could refuse them (a post right
        // after this instance archived the channel is refused); the hot path skips the checkpoint
        // query when the shard was already seen past them.
        final long required = catchUp ? applied.required(partition) : applied.requiredForPosts(partition);
        final boolean keepable = !catchUp && postViews != null && PostViews.applies(command);
        if (keepable) {
            final TeamView kept = postViews.get((Command.PostMessage) command, partition, required);
            if (kept != null) {
                return new Read(kept, partition, -1);
            }
        }
        try {
            if (required > 0 && (catchUp || required > applied.seen(partition))) {
                final long deadline = System.nanoTime() + consistencyTimeout.toNanos();
                long checkpoint;
                while ((checkpoint = state.checkpoint(partition)) < required) {
                    if (System.nanoTime() > deadline) {
                        throw new StateUnavailableException("the read model of partition " + partition + " is at "
                                + checkpoint + ", behind this instance's write at " + (required - 1) + " after "
                                + consistencyTimeout.toMillis() + " ms (is the projector running?)", null, true);
                    }
                    LockSupport.parkNanos(2_000_000L);
                }
                applied.seen(partition, checkpoint);
            }
            if (keepable) {
                final ShardStateReader.CheckedView v = state.loadPost((Command.PostMessage) command);
                applied.seen(partition, v.checkpoint());
                return new Read(v.view(), partition, v.checkpoint());
            }
            return new Read(state.load(command), partition, -1);
        } catch (SQLException e) {
            throw new StateUnavailableException("cannot read the shard of team " + command.teamId() + " (partition "
                    + partition + "): " + e.getMessage(), e, false);
        }
    }

    private CompletableFuture<Outcome> append(final Command command, final List<SpecificRecord> payloads) {
        final Instant now = clock.instant();
        final List<CompletableFuture<Appended>> acks = new ArrayList<>(payloads.size());
        final List<String> types = new ArrayList<>(payloads.size());
        for (SpecificRecord payload : payloads) {
            types.add(payload.getSchema().getName());
            acks.add(appender.append(EventEnvelope.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setTeamId(command.teamId())
                    .setActorId(command.actorId())
                    .setOccurredAt(now)
                    .setSchemaVersion(EventCodec.CURRENT_VERSION)
                    .setPayload(payload)
                    .build()).whenComplete((a, error) -> {
                        if (a != null) {
                            // Posts and markers cannot turn a later post's acceptance into a refusal.
                            applied.appended(a.position().partition(), a.position().offset(),
                                    !decidesOnReadModelAsIs(command));
                        }
                    }));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new Outcome.Done(types, acks.stream().map(CompletableFuture::join).toList()));
    }
}
