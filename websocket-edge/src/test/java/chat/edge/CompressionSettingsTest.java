package chat.edge;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one rule for which frames are never compressed, shared by the compression handler and the pre-encoded path. */
class CompressionSettingsTest {
    @Test
    void framesBelowTheThresholdAreNeverCompressed_andNoneAreWhenCompressionIsOff() {
        assertThat(new CompressionSettings(true, 1024, 6, 65536).uncompressedBelowBytes()).isEqualTo(1024);
        assertThat(new CompressionSettings(true, 0, 6, 65536).uncompressedBelowBytes()).isZero();
        assertThat(new CompressionSettings(false, 1024, 6, 65536).uncompressedBelowBytes()).isEqualTo(Integer.MAX_VALUE);
    }
}
