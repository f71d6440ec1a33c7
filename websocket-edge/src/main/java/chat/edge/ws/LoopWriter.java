package chat.edge.ws;

import chat.edge.delivery.Handoff;
import chat.edge.delivery.Outbound;
import chat.edge.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.internal.PlatformDependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the frames that other threads (the edge's consumer, resumes) hand to sockets of one Netty
 * event loop: one task on the loop per burst instead of one task per frame, and one flush (one
 * {@code write} system call) per socket per burst instead of one per frame.
 *
 * <p>A fan-out of one event to 10,000 sockets otherwise queues 10,000 write-and-flush tasks, each
 * with its own promise adapter and its own system call even when the socket got several frames in
 * the same burst. Here the consumer thread appends to a lock-free queue and wakes the loop once per
 * {@link Handoff} burst (or on the first append after a drain outside one); the drain writes each
 * socket's frames of the run together with one promise (on the last) and one flush. Order is kept
 * per producer thread and per socket, because every frame and close of a {@link SessionOutbound}
 * goes through its loop's writer.
 *
 * <p>Encoding: an event's frame reaches many sockets of the loop in one run. The run encodes it once,
 * WebSocket header and payload, into one direct buffer and writes a duplicate of it to each socket
 * whose frames of that size are never compressed ({@link SessionOutbound#sendsRaw}); Netty's
 * WebSocket encoder lets such bytes pass, and the socket writes them without a copy. Larger frames
 * on a socket that may compress them go as {@link TextWebSocketFrame}s through the compression
 * handler and the encoder.
 *
 * <p>Memory: the queue holds only what {@code Connection}'s per-socket bounds (frames and bytes)
 * admitted, so it is bounded by those limits times the sockets of the loop. A drain writes at most
 * {@link #MAX_WRITES_PER_RUN} entries and schedules itself again, so socket reads on the loop are not
 * starved by a large fan-out. An encoded frame lives until the last socket that got it wrote it.
 */
final class LoopWriter implements Runnable, Handoff.Writer {
    static final int MAX_WRITES_PER_RUN = 4096;
    private static final Map<EventLoop, LoopWriter> WRITERS = new ConcurrentHashMap<>();
    /** WebSocket frame header, first byte: FIN and the text opcode (server frames are not masked). */
    private static final int FIN_TEXT = 0x81;

    /** One queued action: a frame to write (with its completion) or a close. */
    static final class Write implements ChannelFutureListener {
        final SessionOutbound socket;
        final Frame frame;
        final Runnable action;
        final Outbound.Written done;
        /** What goes to the channel, made by the drain (loop thread only). */
        Object message;

        Write(final SessionOutbound socket, final Frame frame, final Outbound.Written done) {
            this.socket = socket;
            this.frame = frame;
            this.action = null;
            this.done = done;
        }

        Write(final SessionOutbound socket, final Runnable action) {
            this.socket = socket;
            this.frame = null;
            this.action = action;
            this.done = null;
        }

        @Override
        public void operationComplete(final ChannelFuture future) {
            done.written(frame, future.cause());
        }
    }

    private final EventLoop loop;
    private final Queue<Write> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Sockets with frames in the current run, not yet written; touched only on the loop. */
    private final List<SessionOutbound> pending = new ArrayList<>();

    private LoopWriter(final EventLoop loop) {
        this.loop = loop;
    }

    /** The writer of {@code loop} (one per loop for the life of the process; loops are few). */
    static LoopWriter of(final EventLoop loop) {
        return WRITERS.computeIfAbsent(loop, LoopWriter::new);
    }

    void submit(final Write w) {
        queue.offer(w);
        if (!Handoff.defer(this)) {
            wake();
        }
    }

    /** Schedules a drain unless one is scheduled and has not started. */
    @Override
    public void wake() {
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        // Cleared before draining: an append racing with the end of this run schedules a new one.
        scheduled.set(false);
        // The frame encoded last in this run and its bytes: a fan-out's entries come one after another.
        Frame encodedFrame = null;
        ByteBuf encoded = null;
        try {
            int n = 0;
            Write w;
            while (n < MAX_WRITES_PER_RUN && (w = queue.poll()) != null) {
                n++;
                final SessionOutbound s = w.socket;
                if (w.action != null) {
                    // A close goes behind the frames handed over before it.
                    writeBurst(s);
                    w.action.run();
                    continue;
                }
                final Frame f = w.frame;
                if (s.sendsRaw(f.size())) {
                    if (f != encodedFrame) {
                        if (encoded != null) {
                            encoded.release();
                        }
                        encoded = encode(f, s.channel().alloc());
                        encodedFrame = f;
                    }
                    w.message = encoded.retainedDuplicate();
                } else {
                    w.message = new TextWebSocketFrame(Unpooled.wrappedBuffer(f.utf8()));
                }
                if (s.burst.isEmpty()) {
                    pending.add(s);
                }
                s.burst.add(w);
            }
            for (int i = 0; i < pending.size(); i++) {
                writeBurst(pending.get(i));
            }
        } finally {
            pending.clear();
            if (encoded != null) {
                encoded.release();
            }
        }
        if (!queue.isEmpty()) {
            wake();
        }
    }

    /** {@code f} as one unmasked WebSocket text frame: header and payload in one direct buffer. */
    static ByteBuf encode(final Frame f, final ByteBufAllocator alloc) {
        final byte[] payload = f.utf8();
        final int n = payload.length;
        final int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        final ByteBuf b = alloc.directBuffer(header + n);
        b.writeByte(FIN_TEXT);
        if (n < 126) {
            b.writeByte(n);
        } else if (n <= 0xFFFF) {
            b.writeByte(126);
            b.writeShort(n);
        } else {
            b.writeByte(127);
            b.writeLong(n);
        }
        return b.writeBytes(payload);
    }

    /**
     * Writes the frames {@code s} got in this run and flushes once. Only the last frame carries a
     * promise: a socket writes in order, so when it is written (or failed) so are all before it,
     * and their completions run then, in order. The others share a promise that reports nothing.
     */
    private static void writeBurst(final SessionOutbound s) {
        final List<Write> burst = s.burst;
        final int size = burst.size();
        if (size == 0) {
            return;
        }
        final Channel ch = s.channel();
        for (int i = 0; i < size - 1; i++) {
            ch.write(burst.get(i).message, s.silentPromise);
        }
        final Write last = burst.get(size - 1);
        if (size == 1) {
            ch.write(last.message, ch.newPromise().addListener(last));
        } else {
            final Write[] done = burst.toArray(new Write[0]);
            ch.write(last.message, ch.newPromise().addListener(f -> {
                for (Write d : done) {
                    d.done.written(d.frame, f.cause());
                }
            }));
        }
        burst.clear();
        ch.flush();
    }
}
