package chat.edge.ws;

import chat.edge.EdgeSettings;
import chat.edge.consume.ResumeService;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /ws}: the clients' WebSocket. See websocket-edge/README.md for the protocol. One
 * bean serves every socket; per-socket state lives in a session attribute.
 */
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

    EdgeWebSocket(final SubscriptionRegistry registry, final EdgeStats stats, final EdgeSettings settings,
                  final QueueLimits limits, @Nullable final ResumeService resumes) {
        this.resumes = resumes;
        this.registry = registry;
        this.stats = stats;
        this.settings = settings;
        this.limits = limits;
    }

    @OnOpen
    void onOpen(final WebSocketSession session, final HttpRequest<?> request) {
        final Channel channel = request instanceof NettyHttpRequest<?> netty
                ? netty.getChannelHandlerContext().channel() : null;
        final Connection connection = new Connection(session.getId(),
                new SessionOutbound(session, channel, settings.closeGrace()), limits, stats, registry::closed);
        session.put(PROTOCOL, new ConnectionProtocol(connection, registry, stats, settings.maxInboundFrameBytes(),
                settings.maxProtocolErrors(), resumes));
        registry.open(connection);
    }

    @OnMessage(maxPayloadLength = EdgeSettings.TRANSPORT_MAX_FRAME_BYTES)
    void onMessage(final String text, final WebSocketSession session) {
        final ConnectionProtocol protocol = session.get(PROTOCOL, ConnectionProtocol.class).orElse(null);
        if (protocol != null) {
            protocol.onText(text);
        }
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
}
