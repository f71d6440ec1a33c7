package chat.projector;

import io.micronaut.context.ApplicationContext;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProjectorSettingsTest {

    @Test
    void givenNoProjectorKeys_whenBound_thenDocumentedDefaults() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("chat.projector.enabled", "false"))) {
            final ProjectorSettings s = ctx.getBean(ProjectorSettings.class);

            assertThat(s).isEqualTo(new ProjectorSettings(false, "chat-projector", "", 200, 2, 500, 5, 100, 5000, 30_000, "", 10_000));
            assertThat(ctx.containsBean(ProjectorService.class)).isFalse();
        }
    }

    @Test
    void givenProjectorKeys_whenBound_thenValuesUsed() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("chat.projector.enabled", "false",
                "chat.projector.batch-size", "100", "chat.projector.commit-interval-ms", "50",
                "chat.projector.application-id", "proj-eu", "chat.projector.threads", "4"))) {
            final ProjectorSettings s = ctx.getBean(ProjectorSettings.class);

            assertThat(s.batchSize()).isEqualTo(100);
            assertThat(s.commitIntervalMs()).isEqualTo(50);
            assertThat(s.applicationId()).isEqualTo("proj-eu");
            assertThat(s.threads()).isEqualTo(4);
        }
    }

    @Test
    void givenSeveralBadValues_whenConstructed_thenEveryProblemIsListed() {
        assertThatThrownBy(() -> new ProjectorSettings(true, " ", "", 0, 0, 0, -1, 0, 0, -1, "bad id!", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("application-id must not be empty")
                .hasMessageContaining("commit-interval-ms must be >= 1, got 0")
                .hasMessageContaining("threads must be >= 1, got 0")
                .hasMessageContaining("batch-size must be >= 1, got 0")
                .hasMessageContaining("max-retries must be >= 0, got -1")
                .hasMessageContaining("initial-backoff-ms must be >= 1, got 0")
                .hasMessageContaining("close-timeout-ms must be >= 0, got -1")
                .hasMessageContaining("instance-id must match")
                .hasMessageContaining("session-timeout-ms must be 6000..300000, got 1");
    }

    @Test
    void givenRetryBudgetBeyondMaxPollInterval_whenConstructed_thenRejected() {
        assertThatThrownBy(() -> ProjectorSettings.defaults().withRetries(100, 100, 60_000))
                .hasMessageContaining("must stay below half of max.poll.interval.ms");
    }

    @Test
    void shouldDoubleBackoffUpToTheCap() {
        final ProjectorSettings s = ProjectorSettings.defaults().withRetries(5, 100, 500);

        assertThat(s.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(s.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(s.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(s.backoff(4)).isEqualTo(Duration.ofMillis(500));
        assertThat(s.backoff(60)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldConfigureKafkaStreamsAtLeastOnceWithSettings() {
        final Properties p = ProjectorService.streamsConfig(ProjectorSettings.defaults(), "k1:9092", Path.of("/tmp/x"));

        assertThat(p).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "chat-projector")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "k1:9092")
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, "/tmp/x")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once")
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200")
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2")
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                        "org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler")
                // fetches gather events for a quarter of the 200 ms interval (not one fetch per append)
                .containsEntry(StreamsConfig.mainConsumerPrefix("fetch.min.bytes"), "65536")
                .containsEntry(StreamsConfig.mainConsumerPrefix("fetch.max.wait.ms"), "50");
        assertThat(ProjectorService.streamsConfig(new ProjectorSettings(true, "p", "", 20, 1, 500, 5, 100, 5000, 30_000, "",
                10_000), "k1:9092", Path.of("/tmp/x"))).as("a short interval waits shorter")
                .containsEntry(StreamsConfig.mainConsumerPrefix("fetch.max.wait.ms"), "5");
    }
}
