package chat.edge.ws;

import chat.edge.CloseCodes;
import chat.edge.consume.ResumeService;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.protocol.ClientCommand;
import chat.edge.protocol.CommandParser;
import chat.edge.protocol.ErrorCode;
import chat.edge.protocol.ProtocolException;
import chat.edge.protocol.ResyncCode;
import chat.edge.protocol.ServerFrames;
import chat.edge.presence.Presence;
import chat.edge.presence.TypingLimiter;

import java.nio.charset.StandardCharsets;

/**
 * One connection's side of the protocol: reads client frames, changes subscriptions, replies.
 * A refused frame gets an error frame and changes nothing; after {@code maxProtocolErrors} refused
 * frames the next one closes the connection with {@link CloseCodes#PROTOCOL_ERROR}; a frame above
 * {@code maxInboundFrameBytes} closes it at once with {@link CloseCodes#MESSAGE_TOO_BIG}.
 * Called for one connection by one thread at a time (the socket's event loop).
 */
final class ConnectionProtocol {
    private final Connection connection;
    private final SubscriptionRegistry registry;
    private final EdgeStats stats;
    private final int maxInboundFrameBytes;
    private final int maxProtocolErrors;
    private final ResumeService resumes;
    private final Presence presence;
    private final TypingLimiter typingLimiter;
    private static final java.util.concurrent.Executor COMMANDS = java.util.concurrent.Executors
            .newThreadPerTaskExecutor(Thread.ofVirtual().name("edge-command-", 0).factory());
    private final java.util.concurrent.atomic.AtomicInteger protocolErrors = new java.util.concurrent.atomic.AtomicInteger();
    private java.util.concurrent.CompletableFuture<Void> chain = java.util.concurrent.CompletableFuture.completedFuture(null);

    ConnectionProtocol(final Connection connection, final SubscriptionRegistry registry, final EdgeStats stats,
                       final int maxInboundFrameBytes, final int maxProtocolErrors) {
        this(connection, registry, stats, maxInboundFrameBytes, maxProtocolErrors, null);
    }

    /**
     * @param resumes subscribes through the log (positions, resume); {@code null} when the edge runs
     *                without its consumer (then {@code since} gets {@code resync RESUME_UNAVAILABLE})
     */
    ConnectionProtocol(final Connection connection, final SubscriptionRegistry registry, final EdgeStats stats,
                       final int maxInboundFrameBytes, final int maxProtocolErrors, final ResumeService resumes) {
        this(connection, registry, stats, maxInboundFrameBytes, maxProtocolErrors, resumes, Presence.unavailable(), 0);
    }

    /**
     * @param presence            presence and typing of this edge
     * @param typingIntervalNanos at most one {@code typing} per channel per this interval (zero: no limit)
     */
    ConnectionProtocol(final Connection connection, final SubscriptionRegistry registry, final EdgeStats stats,
                       final int maxInboundFrameBytes, final int maxProtocolErrors, final ResumeService resumes,
                       final Presence presence, final long typingIntervalNanos) {
        this.presence = presence;
        this.typingLimiter = new TypingLimiter(typingIntervalNanos, 64, System::nanoTime);
        this.resumes = resumes;
        this.connection = connection;
        this.registry = registry;
        this.stats = stats;
        this.maxInboundFrameBytes = maxInboundFrameBytes;
        this.maxProtocolErrors = maxProtocolErrors;
    }

    Connection connection() {
        return connection;
    }

    void onText(final String text) {
        connection.touch();
        if (connection.isTerminated()) {
            return;
        }
        if (tooLarge(text)) {
            stats.protocolError();
            connection.offer(ServerFrames.error(ErrorCode.FRAME_TOO_LARGE,
                    "frames are limited to " + maxInboundFrameBytes + " bytes", null));
            connection.close(CloseCodes.MESSAGE_TOO_BIG, "frame too large");
            return;
        }
        final ClientCommand command;
        try {
            command = CommandParser.parse(text);
        } catch (ProtocolException e) {
            refuse(e.code(), e.getMessage(), e.requestId());
            return;
        }
        if (resumes != null && resumes.filtersByMembership()) {
            // Subscribing may read the shard: run the connection's commands in order, off the event loop.
            chain = chain.thenRunAsync(() -> handle(command), COMMANDS).exceptionally(e -> {
                connection.close(CloseCodes.INTERNAL_ERROR, "command failed");
                return null;
            });
            return;
        }
        handle(command);
    }

    private void handle(final ClientCommand command) {
        if (connection.isTerminated()) {
            return;
        }
        switch (command) {
            case ClientCommand.Ping p -> connection.offer(ServerFrames.pong(p.id()));
            case ClientCommand.Subscribe s -> subscribe(s);
            case ClientCommand.Typing t -> typing(t);
            case ClientCommand.SetPresence p -> presence.setState(connection, p.state(), p.id());
            case ClientCommand.Unsubscribe u -> {
                registry.unsubscribe(connection, u.teamId());
                // Idempotent: unsubscribing from a team one is not subscribed to is not an error.
                connection.offer(ServerFrames.unsubscribed(u.teamId(), u.id()));
            }
        }
    }

    private void subscribe(final ClientCommand.Subscribe s) {
        if (registry.wouldExceedLimit(connection, s.teamId())) {
            refuse(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "a connection may subscribe to at most "
                    + registry.maxSubscriptions() + " teams", s.id());
            return;
        }
        if (resumes != null) {
            resumes.subscribe(connection, s);
            return;
        }
        if (s.since() != null) {
            stats.resync();
            connection.offer(ServerFrames.resync(s.teamId(), ResyncCode.RESUME_UNAVAILABLE,
                    "this edge runs without the log and cannot resume", s.id()));
            return;
        }
        // Acknowledge before registering, so the acknowledgement precedes every event of the team
        // whichever thread writes first.
        if (connection.offer(ServerFrames.subscribed(s.teamId(), s.id()))) {
            registry.subscribe(connection, s.teamId());
        }
    }

    /**
     * Typing needs a subscription to the team and, with membership checks, the right to see the
     * channel (a private channel's members only; an unknown channel is nobody's); then Redis, then
     * the rate. A refusal is an authorization or rate answer, not a protocol error.
     */
    private void typing(final ClientCommand.Typing t) {
        if (!connection.teams().contains(t.teamId())) {
            connection.offer(ServerFrames.error(ErrorCode.NOT_TEAM_MEMBER,
                    "typing needs a subscription to team " + t.teamId(), t.id()));
            return;
        }
        if (resumes != null && resumes.filtersByMembership()) {
            final boolean maySee = resumes.view(t.teamId()).map(v -> v.maySee(connection.user(), t.channelId()))
                    .orElse(false);
            if (!maySee) {
                connection.offer(ServerFrames.error(ErrorCode.NOT_CHANNEL_MEMBER,
                        "no channel " + t.channelId() + " you may see in team " + t.teamId(), t.id()));
                return;
            }
        }
        if (!presence.available()) {
            presence.typing(connection, t.teamId(), t.channelId(), t.id()); // answers PRESENCE_UNAVAILABLE
            return;
        }
        if (!typingLimiter.tryAcquire(t.teamId() + "/" + t.channelId())) {
            connection.offer(ServerFrames.error(ErrorCode.RATE_LIMITED,
                    "at most one typing indicator per channel every few seconds", t.id()));
            return;
        }
        presence.typing(connection, t.teamId(), t.channelId(), t.id());
    }

    private void refuse(final ErrorCode code, final String message, final String id) {
        stats.protocolError();
        if (protocolErrors.incrementAndGet() > maxProtocolErrors) {
            connection.offer(ServerFrames.error(code, message, id));
            connection.close(CloseCodes.PROTOCOL_ERROR, "too many protocol errors");
            return;
        }
        connection.offer(ServerFrames.error(code, message, id));
    }

    private boolean tooLarge(final String s) {
        if (s.length() > maxInboundFrameBytes) {
            return true; // every char is at least one UTF-8 byte
        }
        if (s.length() * 3L <= maxInboundFrameBytes) {
            return false; // every char is at most three UTF-8 bytes (a surrogate pair: four for two)
        }
        return s.getBytes(StandardCharsets.UTF_8).length > maxInboundFrameBytes;
    }
}
