package chat.common.redis;

import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisReconnectTest {
    @Test
    void givenManyFailedAttempts_thenTheWaitNeverExceedsTheMaximum() {
        final Delay d = new RedisReconnect(1000).delay();
        assertThat(d.createDelay(1)).isLessThanOrEqualTo(Duration.ofMillis(20));
        for (long attempt = 1; attempt <= 64; attempt++) {
            assertThat(d.createDelay(attempt)).isLessThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(d.createDelay(30)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void givenOutOfRangeMaximum_thenRefused() {
        assertThatThrownBy(() -> new RedisReconnect(5)).hasMessageContaining("chat.redis.max-reconnect-delay-ms");
        assertThatThrownBy(() -> new RedisReconnect(600_000)).hasMessageContaining("chat.redis.max-reconnect-delay-ms");
    }
}
