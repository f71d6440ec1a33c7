package chat.edge;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CloseCodesTest {

    @Test
    void shouldSeparateReconnectFromTerminalCodes() {
        assertThat(CloseCodes.isReconnect(CloseCodes.SHUTDOWN)).isTrue();
        assertThat(CloseCodes.isReconnect(CloseCodes.SLOW_CONSUMER)).isTrue();
        assertThat(CloseCodes.isReconnect(CloseCodes.INTERNAL_ERROR)).isTrue();
        assertThat(CloseCodes.isReconnect(1006)).isTrue();
        assertThat(CloseCodes.isReconnect(CloseCodes.PROTOCOL_ERROR)).isFalse();
        assertThat(CloseCodes.isReconnect(CloseCodes.UNAUTHORIZED)).isFalse();
        assertThat(CloseCodes.isReconnect(CloseCodes.FORBIDDEN)).isFalse();
        assertThat(CloseCodes.isReconnect(CloseCodes.MESSAGE_TOO_BIG)).isFalse();
        assertThat(CloseCodes.isReconnect(1009)).isFalse();
    }

    @Test
    void givenInvalidSettings_whenBuilt_thenEveryProblemIsListed() {
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new EdgeSettings(true, true, 0, 0, 0, 70_000, -1, java.time.Duration.ofSeconds(-1),
                        java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Duration.ofSeconds(2)));
        assertThat(e.getMessage()).contains("max-queued-frames", "max-queued-bytes", "max-subscriptions",
                "max-inbound-frame-bytes", "max-protocol-errors", "close-grace", "poll-timeout", "startup-timeout",
                "fetch-max-wait");
    }
}
