package chat.dev.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many mostly idle WebSocket clients on one selector thread with almost no memory each (a socket,
 * a few fields, a buffer only while a frame is split across reads), for connection-count and
 * memory benchmarks: {@code java.net.http} costs tens of KiB per socket and cannot bind a source
 * address. Each client upgrades with its own token, optionally subscribes to one team, answers the
 * edge's pings with pongs, and counts what it receives. Handshakes in flight are bounded; every
 * wait is bounded by a deadline. Not thread-safe: {@link #run} drives everything from one thread.
 */
final class IdleFleet implements AutoCloseable {
    static final int MAX_HANDSHAKES = 256;
    /** Handshakes in flight at once (the storm raises it). */
    int maxHandshakes = MAX_HANDSHAKES;

    private final Selector selector;
    private final ByteBuffer readBuf = ByteBuffer.allocateDirect(256 * 1024);
    private final List<Conn> conns = new ArrayList<>();
    /** Track positions and per-client event counts (the reconnect storm), off for plain idle runs. */
    boolean tracking;
    /** Events each client must receive after a resume to count as caught up (tracking). */
    int expectedEvents;
    long caughtUp;
    /** When set: each event frame's latency from its {@code appendedAt} (Kafka append, ms) to its arrival. */
    LatencyHistogram appendToFrame;
    final ConcurrentHashMap<String, AtomicLong> recovered = new ConcurrentHashMap<>();
    private int next;          // next conn to start
    private int inFlight;      // handshakes under way

    long opened;               // upgrade answered 101
    long subscribed;
    long failed;               // connect/upgrade failures
    long closedByServer;
    long eventFrames;
    long otherFrames;
    long pings;
    final ConcurrentHashMap<String, AtomicLong> failures = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Integer, AtomicLong> closeCodes = new ConcurrentHashMap<>();

    /** One client: where it goes, from where, as whom, to which team (null = no subscription). */
    record Target(InetSocketAddress edge, String host, String source, String token, String team) {
    }

    private final class Conn extends WsWire.Socket {
        final Target target;
        boolean subscribed;
        String position;       // {"epoch":..,"partition":..,"offset":..} of the last event or subscribed reply (tracking on)
        int events;            // event frames since the last (re)subscribe
        long subscribedAt;     // nanoTime of the subscribed reply
        long caughtUpAt;       // nanoTime the events reached expectedEvents

        Conn(final Target target) {
            this.target = target;
        }

        @Override
        void readable(final SelectionKey k) throws IOException {
            read(k, readBuf);
        }

        @Override
        void opened(final SelectionKey k) throws IOException {
            inFlight--;
            IdleFleet.this.opened++;
            if (target.team() != null) {
                final String since = tracking && position != null ? ",\"since\":" + position : "";
                send(this, k, 1, ("{\"op\":\"subscribe\",\"teamId\":\"" + target.team() + "\"" + since + "}")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        void frame(final SelectionKey k, final WsWire.Frame f) throws IOException {
            IdleFleet.this.frame(this, k, f.opcode(), f.payload());
        }

        @Override
        void closedByPeer(final SelectionKey k) throws IOException {
            if (stage == 3) {
                closedByServer++;
                closeCodes.computeIfAbsent(1006, x -> new AtomicLong()).incrementAndGet();
                stage = 4;
                k.cancel();
                ch.close();
            } else {
                fail(this, k, "closed during upgrade");
            }
        }

        @Override
        void failed(final SelectionKey k, final String why) {
            fail(this, k, why);
        }
    }

    IdleFleet(final List<Target> targets) throws IOException {
        this.selector = Selector.open();
        for (Target t : targets) {
            conns.add(new Conn(t));
        }
    }

    /** Clients that completed the upgrade and are not closed. */
    long live() {
        return opened - closedByServer;
    }

    /**
     * Runs the selector until {@code deadlineNanos}, or (when {@code untilSettled}) until every
     * client is open (and subscribed when it has a team) or failed.
     */
    void run(final long deadlineNanos, final boolean untilSettled) throws IOException {
        while (System.nanoTime() < deadlineNanos) {
            while (inFlight < maxHandshakes && next < conns.size()) {
                start(conns.get(next++));
            }
            if (untilSettled && next == conns.size() && inFlight == 0 && settled()) {
                return;
            }
            final long waitMs = Math.max(1, Math.min(200, (deadlineNanos - System.nanoTime()) / 1_000_000));
            selector.select(waitMs);
            final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                final SelectionKey k = it.next();
                it.remove();
                final Conn c = (Conn) k.attachment();
                try {
                    WsWire.dispatch(k, c);
                } catch (IOException | RuntimeException e) {
                    fail(c, k, e.getClass().getSimpleName());
                }
            }
        }
    }

    private boolean settledCache;

    private boolean settled() {
        if (settledCache) {
            return true;
        }
        for (Conn c : conns) {
            if (c.stage < 3 || (c.stage == 3 && c.target.team() != null && !c.subscribed)
                    || (tracking && c.stage == 3 && c.caughtUpAt == 0)) {
                return false;
            }
        }
        settledCache = true;
        return true;
    }

    private void start(final Conn c) {
        try {
            c.ch = SocketChannel.open();
            c.ch.configureBlocking(false);
            c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (c.target.source() != null) {
                c.ch.bind(new InetSocketAddress(c.target.source(), 0));
            }
            c.out = WsWire.upgradeRequest(c.target.host(), c.target.token());
            inFlight++;
            c.stage = 1;
            if (c.ch.connect(c.target.edge())) {
                c.stage = 2;
                final SelectionKey k = c.ch.register(selector, SelectionKey.OP_READ, c);
                c.flush(k);
            } else {
                c.ch.register(selector, SelectionKey.OP_CONNECT, c);
            }
        } catch (IOException | RuntimeException e) {
            fail(c, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void fail(final Conn c, final SelectionKey k, final String why) {
        if (c.stage == 4) {
            return;
        }
        if (c.stage < 3) {
            inFlight--;
            failed++;
            failures.computeIfAbsent(why, x -> new AtomicLong()).incrementAndGet();
        } else {
            closedByServer++;
            closeCodes.computeIfAbsent(-1, x -> new AtomicLong()).incrementAndGet();
        }
        c.stage = 4;
        c.partial = null;
        c.out = null;
        if (k != null) {
            k.cancel();
        }
        try {
            if (c.ch != null) {
                c.ch.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void send(final Conn c, final SelectionKey k, final int opcode, final byte[] payload) throws IOException {
        c.out = WsWire.append(c.out, WsWire.clientFrame(opcode, payload)); // rarely anything pending
        c.flush(k);
    }

    private void frame(final Conn c, final SelectionKey k, final int opcode, final byte[] payload) throws IOException {
        switch (opcode) {
            case 9 -> {
                pings++;
                send(c, k, 10, payload);
            }
            case 8 -> {
                final int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                closeCodes.computeIfAbsent(code, x -> new AtomicLong()).incrementAndGet();
                closedByServer++;
                c.stage = 4;
                k.cancel();
                c.ch.close();
            }
            case 1 -> {
                final String text = new String(payload, StandardCharsets.UTF_8);
                if (!c.subscribed && text.startsWith("{\"type\":\"subscribed\"")) {
                    c.subscribed = true;
                    subscribed++;
                    if (tracking) {
                        c.subscribedAt = System.nanoTime();
                        final String p = positionOf(text);
                        if (p != null) {
                            c.position = p;
                        }
                        recovered.computeIfAbsent(String.valueOf(WsFleet.stringField(text, "\"recovered\":\"", 0)),
                                x -> new AtomicLong()).incrementAndGet();
                        if (expectedEvents == 0 && c.caughtUpAt == 0) {
                            c.caughtUpAt = c.subscribedAt;
                            caughtUp++;
                        }
                    }
                } else if (text.startsWith("{\"type\":\"event\"")) {
                    eventFrames++;
                    if (appendToFrame != null) {
                        final int i = text.indexOf("\"appendedAt\":");
                        if (i > 0) {
                            int j = i + 13;
                            long v = 0;
                            while (j < text.length() && Character.isDigit(text.charAt(j))) {
                                v = v * 10 + (text.charAt(j++) - '0');
                            }
                            appendToFrame.recordMicros(Math.max(0, System.currentTimeMillis() - v) * 1000);
                        }
                    }
                    if (tracking) {
                        c.position = positionOf(text);
                        if (++c.events == expectedEvents && c.caughtUpAt == 0) {
                            c.caughtUpAt = System.nanoTime();
                            caughtUp++;
                        }
                    }
                } else {
                    otherFrames++;
                    if (text.startsWith("{\"type\":\"error\"")) {
                        failures.computeIfAbsent("error frame " + WsFleet.stringField(text, "\"code\":\"", 0),
                                x -> new AtomicLong()).incrementAndGet();
                    }
                }
            }
            default -> otherFrames++;
        }
    }

    /** The {@code "position":{...}} object of a frame (no nested braces inside), or null. */
    static String positionOf(final String text) {
        final int i = text.indexOf("\"position\":{");
        if (i < 0) {
            return null;
        }
        final int end = text.indexOf('}', i);
        return end < 0 ? null : text.substring(i + 11, end + 1);
    }

    /**
     * Drops every open client's TCP connection without a close frame (a network loss), then makes
     * every client connect again ({@link #run} reconnects them, each resuming with its last
     * position); counters of the next round start at zero.
     */
    void dropAll() throws IOException {
        for (Conn c : conns) {
            if (c.ch != null) {
                final SelectionKey k = c.ch.keyFor(selector);
                if (k != null) {
                    k.cancel();
                }
                c.ch.setOption(StandardSocketOptions.SO_LINGER, 0); // RST: no orderly close
                c.ch.close();
            }
            c.ch = null;
            c.stage = 0;
            c.out = null;
            c.partial = null;
            c.subscribed = false;
            c.events = 0;
            c.subscribedAt = 0;
            c.caughtUpAt = 0;
        }
        selector.selectNow();
        next = 0;
        inFlight = 0;
        opened = 0;
        subscribed = 0;
        failed = 0;
        closedByServer = 0;
        caughtUp = 0;
        eventFrames = 0;
        otherFrames = 0;
        settledCache = false;
        failures.clear();
        closeCodes.clear();
        recovered.clear();
    }

    /** Latest subscribed-reply and caught-up instants over all clients (tracking), 0 when some never got there. */
    long[] lastInstants() {
        long sub = 0;
        long up = 0;
        for (Conn c : conns) {
            if (c.subscribedAt == 0 || c.caughtUpAt == 0) {
                return new long[] {0, 0};
            }
            sub = Math.max(sub, c.subscribedAt);
            up = Math.max(up, c.caughtUpAt);
        }
        return new long[] {sub, up};
    }

    /** Clients whose event count after the resume differs from {@code expectedEvents} (gaps or duplicates). */
    long wrongCounts() {
        long n = 0;
        for (Conn c : conns) {
            if (c.events != expectedEvents) {
                n++;
            }
        }
        return n;
    }

    /** Sends a close frame to every open client, waits up to {@code graceMs} for the edge's answers, then closes the sockets. */
    @Override
    public void close() throws IOException {
        for (Conn c : conns) {
            if (c.stage == 3) {
                try {
                    final SelectionKey k = c.ch.keyFor(selector);
                    send(c, k, 8, new byte[] {0x03, (byte) 0xe8});
                } catch (IOException | RuntimeException ignored) {
                    // closed below
                }
            }
        }
        selector.select(500); // let the close frames go out
        selector.selectedKeys().clear();
        for (Conn c : conns) {
            try {
                if (c.ch != null) {
                    c.ch.close();
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
        selector.close();
    }

    static InetSocketAddress address(final String wsUrl) {
        final URI u = URI.create(wsUrl);
        return new InetSocketAddress(u.getHost(), u.getPort());
    }
}
