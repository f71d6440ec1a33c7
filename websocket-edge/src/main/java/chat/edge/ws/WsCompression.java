package chat.edge.ws;

import chat.edge.CompressionSettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.http.server.netty.websocket.NettyServerWebSocketUpgradeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replaces Micronaut's default WebSocket compression handler (permessage-deflate and deflate-frame
 * with Netty's defaults: every frame compressed, a deflater of ~256 KiB native memory kept per
 * connection for its whole life) by the edge's: permessage-deflate only, frames below
 * {@link CompressionSettings#thresholdBytes()} sent plain, {@code server_no_context_takeover} always
 * (no compression state kept between frames), inflated client frames bounded. See
 * {@link CompressionSettings} and the README ("Compression").
 */
@Singleton
@Requires(property = "chat.edge.enabled", notEquals = "false")
final class WsCompression implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private static final String SERVER_NO_CONTEXT = "server_no_context_takeover";

    private final CompressionSettings settings;

    WsCompression(final CompressionSettings settings) {
        this.settings = settings;
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(final BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(final Channel channel, final ChannelRole role) {
                return role == ChannelRole.LISTENER ? this : new Bound(this, channel);
            }
        });
        return event.getBean();
    }

    /** Swaps the compression handler of one connection's pipeline (no-op when Micronaut added none). */
    void install(final ChannelPipeline pipeline) {
        final String name = NettyServerWebSocketUpgradeHandler.COMPRESSION_HANDLER;
        if (pipeline.get(name) == null) {
            return;
        }
        if (!settings.enabled()) {
            pipeline.remove(name);
            return;
        }
        pipeline.replace(name, name, handler(settings));
    }

    /** A fresh handler (one per connection: Netty's extension handler keeps per-request state). */
    static ChannelHandler handler(final CompressionSettings settings) {
        final int plainBelow = settings.uncompressedBelowBytes();
        final WebSocketExtensionFilter small = frame -> frame.content().readableBytes() < plainBelow;
        final WebSocketExtensionFilterProvider filters = new WebSocketExtensionFilterProvider() {
            @Override
            public WebSocketExtensionFilter encoderFilter() {
                return small;
            }

            @Override
            public WebSocketExtensionFilter decoderFilter() {
                return WebSocketExtensionFilter.NEVER_SKIP;
            }
        };
        // allowServerWindowSize false (window 15: the JDK's zlib), allowServerNoContext true,
        // preferredClientNoContext true (honoured when the client offers it)
        final PerMessageDeflateServerExtensionHandshaker deflate = new PerMessageDeflateServerExtensionHandshaker(
                settings.level(), false, 15, true, true, filters, settings.maxInflated());
        return new WebSocketServerExtensionHandler(new NoContextTakeover(deflate));
    }

    /**
     * Adds {@code server_no_context_takeover} to every permessage-deflate offer before Netty's
     * handshaker sees it: RFC 7692 section 7.1.1.1 lets a server answer with it even when the
     * client did not ask, and Netty applies it only when asked.
     */
    private record NoContextTakeover(WebSocketServerExtensionHandshaker delegate) implements WebSocketServerExtensionHandshaker {
        @Override
        public WebSocketServerExtension handshakeExtension(final WebSocketExtensionData data) {
            if (!"permessage-deflate".equals(data.name()) || data.parameters().containsKey(SERVER_NO_CONTEXT)) {
                return delegate.handshakeExtension(data);
            }
            final Map<String, String> params = new LinkedHashMap<>(data.parameters());
            params.put(SERVER_NO_CONTEXT, null);
            return delegate.handshakeExtension(new WebSocketExtensionData(data.name(), params));
        }
    }

    /** The customizer of one connection (or HTTP/2 stream): installs the handler once its pipeline is built. */
    private final class Bound implements NettyServerCustomizer {
        private final NettyServerCustomizer root;
        private final Channel channel;

        Bound(final NettyServerCustomizer root, final Channel channel) {
            this.root = root;
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(final Channel ch, final ChannelRole role) {
            return root.specializeForChannel(ch, role);
        }

        @Override
        public void onStreamPipelineBuilt() {
            install(channel.pipeline());
        }
    }
}
