package chat.search;

import chat.common.config.ChatSettings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Duration;

/** Reads {@code chat.search.*} into {@link SearchSettings} (see its field docs for defaults and meaning). */
@Factory
class SearchFactory {

    @Singleton
    @Requires(property = "chat.search.index-dir")
    @Requires(property = "chat.search.enabled", notEquals = "false")
    SearchSettings searchSettings(final ChatSettings chat,
                                  @Value("${chat.search.index-dir}") final String indexDir,
                                  @Value("${chat.search.partitions:all}") final String partitions,
                                  @Value("${chat.search.routes:}") final String routes,
                                  @Value("${chat.search.refresh-ms:5000}") final long refreshMs,
                                  @Value("${chat.search.commit-ms:5000}") final long commitMs,
                                  @Value("${chat.search.barrier-timeout-ms:2000}") final long barrierMs,
                                  @Value("${chat.search.ram-buffer-mb:16}") final double ramBufferMb,
                                  @Value("${chat.search.max-poll-records:1000}") final int maxPollRecords,
                                  @Value("${chat.search.admin-token:}") final String adminToken,
                                  @Value("${chat.search.forward-timeout-ms:5000}") final long forwardMs,
                                  @Value("${chat.search.startup-timeout-ms:30000}") final long startupMs) {
        return new SearchSettings(Path.of(indexDir), PartitionRanges.parse(partitions, chat.partitions()),
                SearchSettings.parseRoutes(routes, chat.partitions()), Duration.ofMillis(refreshMs), Duration.ofMillis(commitMs),
                Duration.ofMillis(barrierMs), ramBufferMb, maxPollRecords, adminToken, Duration.ofMillis(forwardMs),
                Duration.ofMillis(startupMs));
    }
}
