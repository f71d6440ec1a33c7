package chat.dev.bench;

import chat.dev.DevStack;
import chat.dev.embedded.EmbeddedKafka;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.internal.PlatformDependent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./chat bench forwarder}: the floor of the delivery-capacity benchmark. A trivial
 * in-memory WebSocket server (Netty, no Kafka, no database, no authorization, no ordering
 * guarantees beyond one event loop) that answers the routes the bench tool calls as the stack
 * does, and forwards each posted message to the sockets subscribed to its team: the frame is
 * rendered once and the same bytes written to every subscriber by the subscriber's event loop,
 * each socket flushed once per drain of that loop's queue, as the edge does. Whatever the
 * bench measures against it is what this machine and load generator allow at best.
 *
 * <p>With {@code --log} (or {@code --kafka}) every post goes through a Kafka topic first
 * ({@link ForwarderLog}): the floor of any server that appends each write to a log before it
 * delivers it, on the same machine.
 */
final class Forwarder {
    static final String USAGE = """
            usage: chat bench forwarder [options]   a trivial in-memory WebSocket forwarder (the capacity floor)
              --port N       listen on 127.0.0.1:N (default 18700)
              --threads K    event loop threads (default 2)
              --seconds S    stop after S seconds (default 3600)
              --log          append every post to a Kafka topic and forward what a consumer reads back
                             (the log floor), on a broker started in this process
              --kafka-port N that broker's port (default 19392)
              --kafka H:P    the same on an existing broker instead (e.g. a dev stack's)
              --partitions N partitions of the floor's topic when it is created (default 12)
            then: chat bench --url http://127.0.0.1:N --raw-records 0 ...  (same options as against the stack)
            """;

    private final Map<String, Set<Channel>> teams = new ConcurrentHashMap<>();
    private final AtomicLong offset = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong framesSent = new AtomicLong();
    private final Map<EventLoop, LoopQueue> loops = new ConcurrentHashMap<>();
    /** The log path, or null: posts are forwarded straight from memory. */
    private volatile ForwarderLog log;

    private Forwarder() {
    }

    static int run(final String[] args) throws Exception {
        int port = 18700;
        int threads = 2;
        double seconds = 3600;
        boolean embeddedLog = false;
        int kafkaPort = 19392;
        String kafka = null;
        int partitions = 12;
        try {
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        return 0;
                    }
                    case "--port" -> port = BenchOptions.intValue(args, ++i, a, 1, 65_535);
                    case "--threads" -> threads = BenchOptions.intValue(args, ++i, a, 1, 64);
                    case "--seconds" -> seconds = BenchOptions.doubleValue(args, ++i, a, 1, 86_400);
                    case "--log" -> embeddedLog = true;
                    case "--kafka-port" -> kafkaPort = BenchOptions.intValue(args, ++i, a, 1, 65_535);
                    case "--kafka" -> kafka = BenchOptions.value(args, ++i, a);
                    case "--partitions" -> partitions = BenchOptions.intValue(args, ++i, a, 1, 1024);
                    default -> throw new BenchOptions.UsageException("unknown option '" + a + "'");
                }
            }
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench forwarder: " + e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
        if (embeddedLog && kafka != null) {
            System.err.println("bench forwarder: --log starts a broker, --kafka uses one: give one of them");
            return 2;
        }
        EmbeddedKafka broker = null;
        Path brokerDir = null;
        try {
            if (embeddedLog) {
                brokerDir = Files.createTempDirectory("chat-bench-floor-kafka");
                broker = new EmbeddedKafka(brokerDir, kafkaPort);
                broker.start();
                kafka = broker.bootstrapServers();
            }
            try (Running running = start(port, threads, kafka, partitions)) {
                System.out.printf(Locale.ROOT, "bench forwarder: listening on http://127.0.0.1:%d (ws://127.0.0.1:%d/ws) for %.0f s%s%n",
                        running.port(), running.port(), seconds, kafka == null ? "" : ", every post through topic "
                                + ForwarderLog.TOPIC + " on " + kafka + (broker == null ? "" : " (a broker in this process)"));
                running.server.closeFuture().await((long) (seconds * 1000));
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (brokerDir != null) {
                DevStack.deleteRecursively(brokerDir);
            }
        }
        return 0;
    }

    /** A forwarder listening on 127.0.0.1:{@code port} (0: any free port) until closed. */
    static Running start(final int port, final int threads) throws InterruptedException {
        return new Forwarder().listen(port, threads);
    }

    /**
     * A forwarder whose posts go through {@link ForwarderLog#TOPIC} on {@code bootstrapServers} (null:
     * straight from memory), created with {@code partitions} when absent.
     */
    static Running start(final int port, final int threads, final String bootstrapServers, final int partitions)
            throws Exception {
        final Forwarder f = new Forwarder();
        if (bootstrapServers == null) {
            return f.listen(port, threads);
        }
        f.log = new ForwarderLog(bootstrapServers, partitions, f::fanOut);
        try {
            return f.listen(port, threads);
        } catch (RuntimeException | InterruptedException e) {
            f.log.close();
            throw e;
        }
    }

    private Running listen(final int port, final int threads) throws InterruptedException {
        final MultiThreadIoEventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final MultiThreadIoEventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            final Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .option(io.netty.channel.ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(final SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                                    new WebSocketServerProtocolHandler("/ws", null, false, 65_536, false, true),
                                    new Http(), new Ws());
                        }
                    }).bind("127.0.0.1", port).sync().channel();
            return new Running(server, boss, workers, log);
        } catch (RuntimeException | InterruptedException e) {
            Running.shutdown(boss, workers);
            throw e;
        }
    }

    /** A listening forwarder; {@link #close} stops it and its threads (and its log path's). */
    record Running(Channel server, MultiThreadIoEventLoopGroup boss, MultiThreadIoEventLoopGroup workers,
                   ForwarderLog log) implements AutoCloseable {
        int port() {
            return ((java.net.InetSocketAddress) server.localAddress()).getPort();
        }

        @Override
        public void close() throws InterruptedException {
            try {
                server.close().await(5000);
            } finally {
                try {
                    shutdown(boss, workers);
                } finally {
                    if (log != null) {
                        log.close();
                    }
                }
            }
        }

        static void shutdown(final MultiThreadIoEventLoopGroup boss, final MultiThreadIoEventLoopGroup workers)
                throws InterruptedException {
            workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).await(10_000);
            boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).await(10_000);
        }
    }

    private static String position(final int partition, final long offset) {
        return "{\"epoch\":\"fwd\",\"partition\":" + partition + ",\"offset\":" + offset + "}";
    }

    /** The event frame both paths send: {@code event} (JSON) at its position, appended at {@code appendedAt}. */
    static ByteBuf eventFrame(final int partition, final long offset, final long appendedAt, final byte[] event) {
        return Unpooled.wrappedBuffer(("{\"type\":\"event\",\"position\":" + position(partition, offset) + ",\"appendedAt\":"
                + appendedAt + ",\"event\":").getBytes(StandardCharsets.UTF_8), event, new byte[] {'}'});
    }

    /**
     * Writes {@code frame} (released here) to every socket subscribed to {@code team}: each event loop
     * gets the frame once for its subscribers ({@link LoopQueue}). A write per subscriber from this
     * thread would be a task and a wake-up per frame.
     */
    private void fanOut(final String team, final ByteBuf frame) {
        try {
            final Map<EventLoop, List<Channel>> byLoop = new HashMap<>(4);
            for (Channel c : teams.getOrDefault(team, Set.of())) {
                byLoop.computeIfAbsent(c.eventLoop(), k -> new ArrayList<>()).add(c);
            }
            byLoop.forEach((loop, subscribers) -> {
                loops.computeIfAbsent(loop, LoopQueue::new).offer(subscribers, frame.retainedDuplicate());
                framesSent.addAndGet(subscribers.size());
            });
        } finally {
            frame.release();
        }
    }

    /**
     * The frames handed to one event loop, written by one drain task: every frame queued when it runs
     * goes out, then each socket that got any is flushed once (one system call for all its frames), the
     * technique of the edge's loop writer. Without it the floor flushed every frame on its own and,
     * at 1,000 subscribers per post, delivered less than the stack.
     */
    private static final class LoopQueue implements Runnable {
        private record Entry(List<Channel> subscribers, ByteBuf frame) {
        }

        private final EventLoop loop;
        private final Queue<Entry> queue = PlatformDependent.newMpscQueue();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        /** Sockets written in the current drain, not yet flushed; touched only on the loop. */
        private final Set<Channel> unflushed = new HashSet<>();

        LoopQueue(final EventLoop loop) {
            this.loop = loop;
        }

        void offer(final List<Channel> subscribers, final ByteBuf frame) {
            queue.offer(new Entry(subscribers, frame));
            if (scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            scheduled.set(false); // before draining: an offer racing with the end of this run schedules another
            Entry e;
            while ((e = queue.poll()) != null) {
                try {
                    for (Channel c : e.subscribers()) {
                        c.write(new TextWebSocketFrame(e.frame().retainedDuplicate()), c.voidPromise());
                        unflushed.add(c);
                    }
                } finally {
                    e.frame().release();
                }
            }
            for (Channel c : unflushed) {
                c.flush();
            }
            unflushed.clear();
        }
    }

    private final class Http extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest req) {
            final QueryStringDecoder q = new QueryStringDecoder(req.uri());
            final String[] p = q.path().split("/");
            // p: "", "api", "v1", ...
            final HttpMethod m = req.method();
            if (m.equals(HttpMethod.POST) && q.path().equals("/api/v1/dev/tokens")) {
                final StringBuilder b = new StringBuilder("{\"ttlSeconds\":86400,\"tokens\":{");
                int i = 0;
                for (String u : q.parameters().getOrDefault("user", java.util.List.of())) {
                    b.append(i++ == 0 ? "" : ",").append('"').append(u).append("\":\"fwd.").append(u).append(".x\"");
                }
                answer(ctx, req, HttpResponseStatus.OK, b.append("}}").toString());
            } else if (m.equals(HttpMethod.GET) && q.path().equals("/api/v1/edge/stats")) {
                answer(ctx, req, HttpResponseStatus.OK, "{\"connections\":" + connections.get() + ",\"framesSent\":"
                        + framesSent.get() + "}");
            } else if (m.equals(HttpMethod.POST) && p.length == 8 && p[3].equals("teams") && p[5].equals("channels")
                    && p[7].equals("messages")) {
                post(ctx, req, p[4], p[6]);
            } else if (m.equals(HttpMethod.POST) && (q.path().equals("/api/v1/teams") || p.length == 6 && p[5].equals("channels"))) {
                answer(ctx, req, HttpResponseStatus.CREATED, "{\"events\":[],\"unchanged\":false}");
            } else if (m.equals(HttpMethod.PUT) && p.length == 7 && p[5].equals("members")) {
                answer(ctx, req, HttpResponseStatus.OK, "{\"events\":[],\"unchanged\":false}");
            } else {
                answer(ctx, req, HttpResponseStatus.NOT_FOUND, "{\"code\":\"NOT_FOUND\"}");
            }
        }

        private void post(final ChannelHandlerContext ctx, final FullHttpRequest req, final String team, final String channel) {
            final String body = req.content().toString(StandardCharsets.UTF_8);
            final String text = WsFleet.stringField(body, "\"text\":\"", 0);
            final long off = offset.incrementAndGet();
            final long now = System.currentTimeMillis();
            final String messageId = "f" + off;
            final String event = "{\"eventId\":\"e" + off + "\",\"teamId\":\"" + team + "\",\"actorId\":\"bench\",\"occurredAt\":"
                    + now + ",\"type\":\"MessagePosted\",\"channelId\":\"" + channel + "\",\"messageId\":\"" + messageId
                    + "\",\"text\":\"" + text + "\",\"threadRootId\":null,\"clientMessageId\":null}";
            final ForwarderLog viaLog = log;
            if (viaLog != null) {
                final boolean keepAlive = HttpUtil.isKeepAlive(req);
                viaLog.append(team, event, (appended, error) -> {
                    if (error != null) {
                        answer(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"code\":\"LOG_UNAVAILABLE\"}");
                    } else {
                        answer(ctx, keepAlive, HttpResponseStatus.CREATED, "{\"messageId\":\"" + messageId + "\",\"position\":"
                                + position(appended.partition(), appended.offset()) + "}");
                    }
                });
                return;
            }
            fanOut(team, eventFrame(0, off, now, event.getBytes(StandardCharsets.UTF_8)));
            answer(ctx, req, HttpResponseStatus.CREATED, "{\"messageId\":\"" + messageId + "\",\"position\":" + position(0, off) + "}");
        }

        private void answer(final ChannelHandlerContext ctx, final FullHttpRequest req, final HttpResponseStatus status,
                            final String json) {
            answer(ctx, HttpUtil.isKeepAlive(req), status, json);
        }

        private void answer(final ChannelHandlerContext ctx, final boolean keepAlive, final HttpResponseStatus status,
                            final String json) {
            final FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(r, r.content().readableBytes());
            HttpUtil.setKeepAlive(r, keepAlive);
            ctx.writeAndFlush(r);
        }
    }

    private final class Ws extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final Set<String> mine = ConcurrentHashMap.newKeySet();

        /** A write to a socket that went away (void promises report here): close it, quietly. */
        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            ctx.close();
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                connections.incrementAndGet();
                ctx.channel().closeFuture().addListener(f -> {
                    connections.decrementAndGet();
                    for (String t : mine) {
                        final Set<Channel> s = teams.get(t);
                        if (s != null) {
                            s.remove(ctx.channel());
                        }
                    }
                });
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final WebSocketFrame frame) {
            if (!(frame instanceof TextWebSocketFrame t)) {
                return;
            }
            final String text = t.text();
            final String team = WsFleet.stringField(text, "\"teamId\":\"", 0);
            if (text.contains("\"op\":\"subscribe\"") && team != null) {
                teams.computeIfAbsent(team, k -> ConcurrentHashMap.newKeySet()).add(ctx.channel());
                mine.add(team);
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"subscribed\",\"teamId\":\"" + team
                        + "\",\"recovered\":\"none\",\"recoveredEvents\":0,\"position\":{\"epoch\":\"fwd\",\"partition\":0,\"offset\":"
                        + offset.get() + "}}"));
            } else {
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"error\",\"code\":\"UNKNOWN_OP\"}"));
            }
        }
    }
}
