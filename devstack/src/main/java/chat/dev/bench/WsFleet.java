package chat.dev.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * N WebSocket clients of {@code /ws}, client i subscribed to team {@code i % T}, on {@value #LOOPS}
 * NIO selector threads of the load generator's own (no {@code java.net.http}: with its per-frame
 * futures and executor hand-offs the tool used ~35 us of CPU per received frame in all, ~24 us with
 * these sockets, BENCHMARKS.md; on a 2-core machine that is CPU taken from the server under test). A frame's arrival time is taken when its socket is read; event frames are
 * handed to the {@link Tracker} by messageId. Each loop thread owns its sockets; other threads only
 * queue tasks to it.
 */
final class WsFleet implements AutoCloseable {
    static final int LOOPS = 2;
    private static final int HANDSHAKES_PER_LOOP = 32;
    /** A loop's read buffer; frames up to its size less 16 bytes are read (WsWire.Socket#read). */
    private static final int READ_BUFFER = (1 << 20) + 64 * 1024;
    private static final String EVENT_PREFIX = "\"type\":\"";
    private static final String MESSAGE_ID = "\"messageId\":\"";

    private final String wsBase;
    private volatile InetSocketAddress edge;   // set by open(), before any socket starts
    private final String httpBase;
    private final String[] users;
    private final String[] teams;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "bench-subscribe-retry");
        t.setDaemon(true);
        return t;
    });
    private final Tracker tracker;
    private final List<Client> clients = new ArrayList<>();
    private final Loop[] loops = new Loop[LOOPS];
    private final AtomicLongArray subscribedPerTeam;
    private volatile boolean closing;

    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong subscribeFailures = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();
    final AtomicLong socketErrors = new AtomicLong();
    final AtomicLong errorFrames = new AtomicLong();
    final AtomicLong otherFrames = new AtomicLong();
    final AtomicLong unparsedFrames = new AtomicLong();
    final ConcurrentHashMap<Integer, AtomicLong> closeCodes = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, AtomicLong> errorCodes = new ConcurrentHashMap<>();

    final AtomicLong subscribeRetries = new AtomicLong();

    /**
     * @param wsBase   {@code ws://host:port}
     * @param httpBase the stack's HTTP base URL (tokens: {@link BenchTokens})
     * @param users    the user of client i is {@code users[i % users.length]} (one entry: every socket as that user)
     */
    WsFleet(final String wsBase, final String httpBase, final String[] users, final String[] teams, final Tracker tracker) {
        this.wsBase = wsBase;
        this.httpBase = httpBase;
        this.users = users;
        this.teams = teams;
        this.tracker = tracker;
        this.subscribedPerTeam = new AtomicLongArray(teams.length);
    }

    /** Opens and subscribes {@code n} clients; returns how many are subscribed within {@code timeout}. */
    int open(final int n, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final CountDownLatch settled = new CountDownLatch(n);
        final AtomicInteger ok = new AtomicInteger();
        edge = IdleFleet.address(wsBase);
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == null) {
                try {
                    loops[i] = new Loop(i);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot open a selector: " + e.getMessage(), e);
                }
                loops[i].thread.start();
            }
        }
        for (int i = 0; i < n; i++) {
            final Client c = new Client(i % teams.length, BenchTokens.token(httpBase, users[i % users.length]), settled, ok,
                    loops[clients.size() % loops.length]);
            clients.add(c);
            c.loop.submit(() -> c.loop.waiting.add(c));
        }
        settled.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return ok.get();
    }

    /** Sockets currently subscribed to team index {@code team}: the fan-out of one of its messages. */
    int fanout(final int team) {
        return (int) subscribedPerTeam.get(team);
    }

    int openSockets() {
        int n = 0;
        for (Client c : clients) {
            if (c.subscribedNow) {
                n++;
            }
        }
        return n;
    }

    long unexpectedEvents() {
        return unexpectedCloses.get() + socketErrors.get() + errorFrames.get();
    }

    /** Sends every open socket a close frame, waits up to 2 s for the edge's answers, then closes what is left. */
    @Override
    public void close() {
        closing = true;
        retries.shutdownNow();
        for (Loop l : loops) {
            if (l != null) {
                l.submit(l::closeAll);
            }
        }
        for (Loop l : loops) {
            if (l != null) {
                try {
                    l.thread.join(3_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                l.stop = true;
                l.selector.wakeup();
            }
        }
    }

    /** One selector thread and the sockets it owns. */
    private final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final ArrayDeque<Client> waiting = new ArrayDeque<>();
        final ByteBuffer readBuf = ByteBuffer.allocateDirect(READ_BUFFER);
        int handshakes;
        long now;           // nanoTime after the last select: the arrival time of what its keys read
        long closeDeadline; // nanoTime when closing: stop once every socket is closed or then
        volatile boolean stop;

        Loop(final int index) throws IOException {
            selector = Selector.open();
            thread = new Thread(this, "bench-ws-" + index);
            thread.setDaemon(true);
        }

        void submit(final Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    while (!closing && handshakes < HANDSHAKES_PER_LOOP && !waiting.isEmpty()) {
                        start(waiting.poll());
                    }
                    if (closeDeadline != 0 && (System.nanoTime() > closeDeadline || selector.keys().isEmpty())) {
                        break;
                    }
                    selector.select(100);
                    now = System.nanoTime();
                    final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        final SelectionKey k = it.next();
                        it.remove();
                        handle(k, (Client) k.attachment());
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("bench: WebSocket loop " + thread.getName() + " failed: " + e);
            } finally {
                for (SelectionKey k : selector.keys()) {
                    ((Client) k.attachment()).drop(k);
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // the process is done with it
                }
            }
        }

        private void handle(final SelectionKey k, final Client c) {
            try {
                WsWire.dispatch(k, c);
            } catch (IOException | RuntimeException e) {
                c.failed(k, e.toString());
            }
        }

        private void start(final Client c) {
            try {
                c.ch = SocketChannel.open();
                c.ch.configureBlocking(false);
                c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.out = WsWire.upgradeRequest(edge.getHostString() + ":" + edge.getPort(), c.token);
                handshakes++;
                c.stage = 1;
                if (c.ch.connect(edge)) {
                    c.stage = 2;
                    c.flush(c.ch.register(selector, SelectionKey.OP_READ, c));
                } else {
                    c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (IOException | RuntimeException e) {
                c.failed(null, e.toString());
            }
        }

        /** Close frames to every open socket; the loop ends when all are closed, or after 2 s. */
        void closeAll() {
            closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (SelectionKey k : selector.keys()) {
                final Client c = (Client) k.attachment();
                if (c.stage == 3) {
                    try {
                        c.send(k, WsWire.CLOSE, new byte[] {0x03, (byte) 0xe8});
                    } catch (IOException | RuntimeException e) {
                        c.drop(k);
                    }
                } else {
                    c.drop(k);
                }
            }
        }
    }

    /** One socket; every method runs on its loop's thread (the flags read by other threads are volatile). */
    private final class Client extends WsWire.Socket {
        final int team;
        final String token;
        final CountDownLatch settled;
        final AtomicInteger ok;
        final Loop loop;
        ByteArrayOutputStream fragments; // a fragmented message's earlier frames (the edge does not fragment)
        volatile boolean subscribedNow;
        private boolean counted;
        private int attempts;

        Client(final int team, final String token, final CountDownLatch settled, final AtomicInteger ok, final Loop loop) {
            this.team = team;
            this.token = token;
            this.settled = settled;
            this.ok = ok;
            this.loop = loop;
        }

        @Override
        void readable(final SelectionKey k) throws IOException {
            read(k, loop.readBuf);
        }

        @Override
        void opened(final SelectionKey k) {
            loop.handshakes--;
            subscribe();
        }

        @Override
        void closedByPeer(final SelectionKey k) {
            if (stage == 3) {
                ended(k, 1006);
            } else {
                failed(k, "closed during upgrade");
            }
        }

        void send(final SelectionKey k, final int opcode, final byte[] payload) throws IOException {
            out = WsWire.append(out, WsWire.clientFrame(opcode, payload));
            flush(k);
        }

        void subscribe() {
            final SelectionKey k = ch == null ? null : ch.keyFor(loop.selector);
            if (stage != 3 || k == null || closing) {
                return;
            }
            try {
                send(k, WsWire.TEXT, ("{\"op\":\"subscribe\",\"teamId\":\"" + teams[team] + "\"}").getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                subscribeFailures.incrementAndGet();
                failed(k, e.toString());
            }
        }

        @Override
        void frame(final SelectionKey k, final WsWire.Frame f) throws IOException {
            switch (f.opcode()) {
                case WsWire.PING -> send(k, WsWire.PONG, f.payload());
                case WsWire.PONG -> { }
                case WsWire.CLOSE -> {
                    final byte[] p = f.payload();
                    ended(k, p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005);
                }
                case WsWire.TEXT, 0 -> {
                    byte[] bytes = f.payload();
                    if (fragments != null || !f.fin()) {
                        if (fragments == null) {
                            fragments = new ByteArrayOutputStream();
                        }
                        fragments.writeBytes(bytes);
                        if (!f.fin()) {
                            return;
                        }
                        bytes = fragments.toByteArray();
                        fragments = null;
                    }
                    text(new String(bytes, StandardCharsets.UTF_8));
                }
                default -> otherFrames.incrementAndGet(); // binary: not part of the protocol
            }
        }

        /** A text message; its arrival time is when its socket was read (the loop's last select). */
        private void text(final String frame) {
            final String type = stringField(frame, EVENT_PREFIX, 0);
            if (type == null) {
                unparsedFrames.incrementAndGet();
                return;
            }
            switch (type) {
                case "event" -> {
                    final String messageId = stringField(frame, MESSAGE_ID, 0);
                    if (messageId == null) {
                        otherFrames.incrementAndGet(); // an event that is not a message: not ours
                    } else {
                        tracker.frame(messageId, loop.now);
                    }
                }
                case "subscribed" -> {
                    if (!subscribedNow) {
                        subscribedNow = true;
                        subscribedPerTeam.incrementAndGet(team);
                        ok.incrementAndGet();
                        settle();
                    }
                }
                case "error" -> {
                    final String code = stringField(frame, "\"code\":\"", 0);
                    if (!subscribedNow && !closing && attempts < 50
                            && ("NOT_TEAM_MEMBER".equals(code) || "MEMBERSHIP_UNAVAILABLE".equals(code))) {
                        // the membership written in setup may not be projected yet: try again shortly
                        attempts++;
                        subscribeRetries.incrementAndGet();
                        retries.schedule(() -> loop.submit(this::subscribe), 200, TimeUnit.MILLISECONDS);
                        return;
                    }
                    errorFrames.incrementAndGet();
                    errorCodes.computeIfAbsent(String.valueOf(code), x -> new AtomicLong()).incrementAndGet();
                    if (!subscribedNow) {
                        subscribeFailures.incrementAndGet();
                        settle();
                    }
                }
                default -> otherFrames.incrementAndGet();
            }
        }

        /** The edge closed the socket (a close frame with {@code code}, or EOF as 1006). */
        private void ended(final SelectionKey k, final int code) {
            if (!closing) {
                unexpectedCloses.incrementAndGet();
                closeCodes.computeIfAbsent(code, x -> new AtomicLong()).incrementAndGet();
            }
            drop(k);
        }

        /** A connect, upgrade or socket error. */
        @Override
        void failed(final SelectionKey k, final String why) {
            if (stage == 4) {
                return;
            }
            if (stage < 3) {
                connectFailures.incrementAndGet();
            } else if (!closing) {
                socketErrors.incrementAndGet();
            }
            drop(k);
        }

        /** Closes the socket, whatever its stage; a handshake under way frees its slot. */
        void drop(final SelectionKey k) {
            if (stage == 1 || stage == 2) {
                loop.handshakes--;
            }
            stage = 4;
            out = null;
            partial = null;
            if (k != null) {
                k.cancel();
            }
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            if (subscribedNow) {
                subscribedNow = false;
                subscribedPerTeam.decrementAndGet(team);
            }
            settle();
        }

        private void settle() {
            if (!counted) {
                counted = true;
                settled.countDown();
            }
        }
    }

    /** The JSON string value following {@code key} (which ends with the opening quote), or null. */
    static String stringField(final String json, final String key, final int from) {
        final int i = json.indexOf(key, from);
        if (i < 0) {
            return null;
        }
        final int start = i + key.length();
        final int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }
}
