package chat.projector.sink;

import java.time.Duration;

/** Waits between retries; a seam so tests do not sleep. */
@FunctionalInterface
public interface Sleeper {
    /** The real one. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
