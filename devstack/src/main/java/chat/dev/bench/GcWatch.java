package chat.dev.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The load generator's own GC pauses (G1 young/mixed/full collections; concurrent cycles are
 * not pauses and are ignored): a pause delays the receive timestamp of every frame behind it,
 * so it is reported next to the latencies.
 */
final class GcWatch {
    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicLong TOTAL_MICROS = new AtomicLong();
    private static final LongAccumulator MAX_MICROS = new LongAccumulator(Long::max, 0);
    private static volatile boolean installed;

    private GcWatch() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        return;
                    }
                    final GarbageCollectionNotificationInfo info =
                            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                    if (info.getGcName().contains("Concurrent") || info.getGcName().contains("Cycles")) {
                        return;
                    }
                    final long micros = info.getGcInfo().getDuration() * 1000;
                    COUNT.incrementAndGet();
                    TOTAL_MICROS.addAndGet(micros);
                    MAX_MICROS.accumulate(micros);
                }, null, null);
            }
        }
    }

    static long count() {
        return COUNT.get();
    }

    static double maxPauseMs() {
        return MAX_MICROS.get() / 1000.0;
    }

    static double totalPauseMs() {
        return TOTAL_MICROS.get() / 1000.0;
    }
}
