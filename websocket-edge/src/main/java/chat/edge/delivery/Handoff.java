package chat.edge.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * A burst of frames one thread hands to sockets, such as one event's fan-out. A transport whose
 * writer thread must be woken for new frames (a Netty event loop) defers that wake-up to the end of
 * the burst ({@link #defer}), so each writer is woken once per burst, not once per frame, and
 * writes what the burst gave it in one run. Outside a burst a transport wakes its writer at once.
 *
 * <pre>{@code
 * try (Handoff burst = Handoff.begin()) {
 *     for (Connection c : subscribers) {
 *         c.offer(frame);
 *     }
 * } // every writer that got a frame is woken here
 * }</pre>
 *
 * <p>Per thread; a burst begun inside another joins it. Memory: a burst holds one reference per
 * distinct writer (one per event loop), not per frame.
 */
public final class Handoff implements AutoCloseable {
    /** A writer woken at the end of a burst. */
    public interface Writer {
        void wake();
    }

    private static final ThreadLocal<Handoff> THREAD = ThreadLocal.withInitial(Handoff::new);
    /** Returned by a {@link #begin} inside a burst: its close leaves the outer burst open. */
    private static final Handoff NESTED = new Handoff();

    private final List<Writer> deferred = new ArrayList<>(4);
    private boolean open;

    private Handoff() {
    }

    /** Begins a burst on this thread (joins the current one if any). */
    public static Handoff begin() {
        final Handoff h = THREAD.get();
        if (h.open) {
            return NESTED;
        }
        h.open = true;
        return h;
    }

    /**
     * Called by a transport that just handed a frame to {@code writer}.
     *
     * @return true when a burst is open on this thread and will wake {@code writer} when it ends;
     * false when the caller must wake it now
     */
    public static boolean defer(final Writer writer) {
        final Handoff h = THREAD.get();
        if (!h.open) {
            return false;
        }
        final List<Writer> d = h.deferred;
        for (int i = 0; i < d.size(); i++) {
            if (d.get(i) == writer) {
                return true;
            }
        }
        d.add(writer);
        return true;
    }

    /** Ends the burst: wakes every writer that got a frame in it, each once. */
    @Override
    public void close() {
        if (this == NESTED) {
            return;
        }
        open = false;
        RuntimeException first = null;
        for (int i = 0; i < deferred.size(); i++) {
            try {
                deferred.get(i).wake();
            } catch (RuntimeException e) {
                // One writer that cannot be woken (its loop is shutting down) must not strand the others.
                if (first == null) {
                    first = e;
                }
            }
        }
        deferred.clear();
        if (first != null) {
            throw first;
        }
    }
}
