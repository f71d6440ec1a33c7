package chat.edge.ws;

import chat.common.auth.Identity;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import chat.edge.CloseCodes;
import chat.edge.CompressionSettings;
import chat.edge.EdgeSettings;
import chat.edge.consume.ResumeService;
import chat.edge.delivery.Connection;
import chat.edge.delivery.ConnectionLimits;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.presence.PresenceService;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketPongMessage;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * {@code GET /ws}: the clients' WebSocket. See websocket-edge/README.md for the protocol. One
 * bean serves every socket; per-socket state lives in a session attribute.
 *
 * <p>The upgrade request must name a user ({@link Identity}); without one the socket is closed at
 * once with {@link CloseCodes#UNAUTHORIZED}. A user (or IP) over its connection limit is closed
 * with {@link CloseCodes#TOO_MANY_CONNECTIONS}.
 */
@Secured(SecurityRule.IS_ANONYMOUS)
@ServerWebSocket("/ws")
@Requires(property = "chat.edge.enabled", notEquals = "false")
final class EdgeWebSocket {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeWebSocket.class);
    private static final String PROTOCOL = "chat.edge.protocol";

    private final SubscriptionRegistry registry;
    private final EdgeStats stats;
    private final EdgeSettings settings;
    private final QueueLimits limits;
    private final ResumeService resumes;
    private final ConnectionLimits connectionLimits;
    private final PresenceService presence;
    /** Frames below this many payload bytes are never compressed, so they go pre-encoded ({@link SessionOutbound}). */
    private final int rawBelowBytes;

    EdgeWebSocket(final SubscriptionRegistry registry, final EdgeStats stats, final EdgeSettings settings,
                  final QueueLimits limits, @Nullable final ResumeService resumes,
                  final ConnectionLimits connectionLimits, final PresenceService presence,
                  final CompressionSettings compression) {
        this.rawBelowBytes = compression.uncompressedBelowBytes();
        this.presence = presence;
        this.resumes = resumes;
        this.registry = registry;
        this.stats = stats;
        this.settings = settings;
        this.limits = limits;
        this.connectionLimits = connectionLimits;
    }

    @OnOpen
    void onOpen(final WebSocketSession session, final HttpRequest<?> request) {
        final Optional<String> user = Identity.userOf(request);
        if (user.isEmpty()) {
            stats.refusedConnection("unauthorized");
            session.close(new CloseReason(CloseCodes.UNAUTHORIZED, "no valid token: connect with ?access_token=<JWT>"));
            return;
        }
        final String ip = remoteIp(request);
        final ConnectionLimits.Verdict verdict = connectionLimits.acquire(ip, user.get());
        if (verdict != ConnectionLimits.Verdict.OK) {
            stats.refusedConnection("limit");
            session.close(new CloseReason(CloseCodes.TOO_MANY_CONNECTIONS,
                    verdict == ConnectionLimits.Verdict.TOO_MANY_FOR_USER ? "too many connections for this user"
                            : "too many connections from this address"));
            return;
        }
        final Channel channel = request instanceof NettyHttpRequest<?> netty
                ? netty.getChannelHandlerContext().channel() : null;
        if (channel != null && channel.pipeline().get(IdleStateHandler.class) != null) {
            // Micronaut's HTTP idle timeout watches every read and write (a second listener on each
            // frame's promise); a WebSocket's liveness is the edge's ping/pong reaper instead.
            channel.pipeline().remove(IdleStateHandler.class);
        }
        // A token expires during a long-lived connection: close it then (4401), the client gets a new
        // token and resumes by position. The timer is cancelled when the connection closes first.
        final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Future<?>> expiry =
                new java.util.concurrent.atomic.AtomicReference<>();
        final Connection connection = new Connection(session.getId(), user.get(), ip,
                new SessionOutbound(session, channel, settings.closeGrace(), rawBelowBytes), limits, stats, c -> {
                    final java.util.concurrent.Future<?> timer = expiry.getAndSet(null);
                    if (timer != null) {
                        timer.cancel(false);
                    }
                    registry.closed(c);
                    connectionLimits.release(ip, user.get());
                });
        final java.time.Instant expiresAt = Identity.expiryOf(request).orElse(null);
        if (channel != null && expiresAt != null) {
            final long delayMs = Math.max(0, expiresAt.toEpochMilli() - System.currentTimeMillis());
            expiry.set(channel.eventLoop().schedule(
                    () -> connection.close(CloseCodes.UNAUTHORIZED, "token expired: reconnect with a new token"),
                    delayMs, java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        session.put(PROTOCOL, new ConnectionProtocol(connection, registry, stats, settings.maxInboundFrameBytes(),
                settings.maxProtocolErrors(), resumes, presence.presence(), presence.typingIntervalNanos()));
        registry.open(connection);
    }

    @OnMessage(maxPayloadLength = EdgeSettings.TRANSPORT_MAX_FRAME_BYTES)
    void onMessage(final String text, final WebSocketSession session) {
        final ConnectionProtocol protocol = session.get(PROTOCOL, ConnectionProtocol.class).orElse(null);
        if (protocol != null) {
            protocol.onText(text);
        }
    }

    @OnMessage
    void onPong(final WebSocketPongMessage pong, final WebSocketSession session) {
        session.get(PROTOCOL, ConnectionProtocol.class).ifPresent(p -> p.connection().touch());
    }

    @OnClose
    void onClose(final WebSocketSession session) {
        session.get(PROTOCOL, ConnectionProtocol.class).ifPresent(p -> p.connection().terminate());
    }

    @OnError
    void onError(final WebSocketSession session, final Throwable error) {
        LOG.debug("WebSocket {} failed: {}", session.getId(), error.toString());
        session.get(PROTOCOL, ConnectionProtocol.class).ifPresent(p -> p.connection().terminate());
    }

    private static String remoteIp(final HttpRequest<?> request) {
        final InetSocketAddress a = request.getRemoteAddress();
        return a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
    }
}
