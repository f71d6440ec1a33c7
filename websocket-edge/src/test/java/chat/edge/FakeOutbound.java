package chat.edge;

import chat.edge.delivery.Outbound;
import chat.edge.protocol.Frame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A socket for tests: records frames and the close code. In {@code autoComplete} mode every send
 * completes at once (a fast client); otherwise sends stay pending until {@link #completeAll()}
 * (a client that reads nothing).
 */
public final class FakeOutbound implements Outbound {
    private final boolean autoComplete;
    private final List<Frame> sent = new CopyOnWriteArrayList<>();
    private final List<Runnable> pending = new CopyOnWriteArrayList<>();
    private volatile int closeCode;
    private volatile boolean closed;

    private FakeOutbound(final boolean autoComplete) {
        this.autoComplete = autoComplete;
    }

    public static FakeOutbound fast() {
        return new FakeOutbound(true);
    }

    public static FakeOutbound stuck() {
        return new FakeOutbound(false);
    }

    @Override
    public void send(final Frame frame, final Written done) {
        if (closed) {
            throw new IllegalStateException("Session closed");
        }
        sent.add(frame);
        if (autoComplete) {
            done.written(frame, null);
        } else {
            pending.add(() -> done.written(frame, null));
        }
    }

    @Override
    public void close(final int code, final String reason) {
        closeCode = code;
        closed = true;
    }

    public void completeAll() {
        final List<Runnable> now = new ArrayList<>(pending);
        pending.removeAll(now);
        now.forEach(Runnable::run);
    }

    public List<Frame> sent() {
        return sent;
    }

    public List<String> texts() {
        return sent.stream().map(Frame::text).toList();
    }

    public int closeCode() {
        return closeCode;
    }

    public boolean isClosed() {
        return closed;
    }
}
