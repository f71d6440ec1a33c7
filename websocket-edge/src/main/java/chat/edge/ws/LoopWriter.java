package chat.edge.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
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
 * the same burst. Here the consumer thread appends to a lock-free queue; the first append after a
 * drain schedules the drain on the loop. Order is kept per producer thread and per socket, because
 * every frame and close of a {@link SessionOutbound} goes through its loop's writer.
 *
 * <p>Memory: the queue holds only what {@code Connection}'s per-socket bounds (frames and bytes)
 * admitted, so it is bounded by those limits times the sockets of the loop. A drain writes at most
 * {@link #MAX_WRITES_PER_RUN} entries and schedules itself again, so socket reads on the loop are not
 * starved by a large fan-out.
 */
final class LoopWriter implements Runnable {
    static final int MAX_WRITES_PER_RUN = 4096;
    private static final Map<EventLoop, LoopWriter> WRITERS = new ConcurrentHashMap<>();

    /** One queued action: a frame to write (with its completion) or a close. */
    static final class Write implements ChannelFutureListener {
        final SessionOutbound socket;
        final Object frame;
        final Runnable action;
        final chat.edge.delivery.Outbound.Written done;

        Write(final SessionOutbound socket, final Object frame, final chat.edge.delivery.Outbound.Written done) {
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
            done.written(future.cause());
        }
    }

    private final EventLoop loop;
    private final Queue<Write> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Sockets written in the current run and not yet flushed; touched only on the loop. */
    private final List<SessionOutbound> unflushed = new ArrayList<>();

    private LoopWriter(final EventLoop loop) {
        this.loop = loop;
    }

    /** The writer of {@code loop} (one per loop for the life of the process; loops are few). */
    static LoopWriter of(final EventLoop loop) {
        return WRITERS.computeIfAbsent(loop, LoopWriter::new);
    }

    void submit(final Write w) {
        queue.offer(w);
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        // Cleared before draining: an append racing with the end of this run schedules a new one.
        scheduled.set(false);
        int n = 0;
        Write w;
        while (n < MAX_WRITES_PER_RUN && (w = queue.poll()) != null) {
            n++;
            final SessionOutbound s = w.socket;
            if (w.action != null) {
                if (s.flushPending) {
                    s.flushPending = false;
                    s.channel().flush();
                }
                w.action.run();
                continue;
            }
            final Channel ch = s.channel();
            ch.write(w.frame, ch.newPromise().addListener(w));
            if (!s.flushPending) {
                s.flushPending = true;
                unflushed.add(s);
            }
        }
        for (int i = 0; i < unflushed.size(); i++) {
            final SessionOutbound s = unflushed.get(i);
            if (s.flushPending) {
                s.flushPending = false;
                s.channel().flush();
            }
        }
        unflushed.clear();
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }
}
