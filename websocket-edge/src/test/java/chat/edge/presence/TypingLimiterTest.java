package chat.edge.presence;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TypingLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void givenOneIndicatorPerTwoSeconds_thenTheSecondWithinTheIntervalIsRefusedPerChannel() {
        final AtomicLong now = new AtomicLong(100 * SECOND);
        final TypingLimiter l = new TypingLimiter(2 * SECOND, 2, now::get);
        assertThat(l.tryAcquire("t1/a")).isTrue();
        assertThat(l.tryAcquire("t1/a")).isFalse();
        assertThat(l.tryAcquire("t1/b")).isTrue();
        now.addAndGet(SECOND);
        assertThat(l.tryAcquire("t1/a")).isFalse();
        assertThat(l.tryAcquire("t1/c")).as("two fresh channels remembered: a third is refused").isFalse();
        now.addAndGet(SECOND);
        assertThat(l.tryAcquire("t1/a")).isTrue();
        assertThat(l.tryAcquire("t1/c")).as("b's interval passed: forgotten").isTrue();
    }

    @Test
    void givenZeroInterval_thenNoLimit() {
        final TypingLimiter l = new TypingLimiter(0, 1, () -> 0);
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isTrue();
    }
}
