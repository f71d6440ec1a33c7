package chat.edge;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EdgeSettingsTest {

    private static EdgeSettings withFetchWait(final Duration wait) {
        final EdgeSettings d = EdgeSettings.defaults();
        return new EdgeSettings(d.enabled(), d.consumerEnabled(), d.maxQueuedFrames(), d.maxQueuedBytes(),
                d.maxSubscriptions(), d.maxInboundFrameBytes(), d.maxProtocolErrors(), d.closeGrace(), d.pollTimeout(),
                d.startupTimeout(), wait);
    }

    @Test
    void givenNoFetchWait_whenConsumerPropertiesAreBuilt_thenTheFirstRecordAnswersAndAnIdleFetchIsHeld() {
        // fetch.max.wait.ms 0 would answer every empty fetch at once: an idle consumer would spin.
        assertThat(EdgeSettings.defaults().fetchBatching())
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1)
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
    }

    @Test
    void givenAFetchWait_whenConsumerPropertiesAreBuilt_thenTheBrokerGathersForThatLong() {
        assertThat(withFetchWait(Duration.ofMillis(5)).fetchBatching())
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, EdgeSettings.FETCH_MIN_BYTES)
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    }

    @Test
    void givenAFetchWaitOutOfRange_whenBuilt_thenRefused() {
        assertThatThrownBy(() -> withFetchWait(Duration.ofMillis(-1))).hasMessageContaining("chat.edge.fetch-max-wait must be 0..1s");
        assertThatThrownBy(() -> withFetchWait(Duration.ofMillis(1001))).hasMessageContaining("chat.edge.fetch-max-wait must be 0..1s");
        assertThat(withFetchWait(Duration.ofSeconds(1)).fetchMaxWait()).isEqualTo(Duration.ofSeconds(1));
    }
}
