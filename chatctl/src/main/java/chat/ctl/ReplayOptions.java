package chat.ctl;

import picocli.CommandLine.Option;

/** How a replay runs: shared by {@code shard rebuild} and {@code reshard}. */
final class ReplayOptions {
    @Option(names = "--batch-size", defaultValue = "5000", description = "Events per transaction (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--parallelism", defaultValue = "2", description = "Partitions replayed at once (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--max-rate", defaultValue = "0", paramLabel = "EVENTS/S",
            description = "Average replay rate cap, 0 = unlimited (default ${DEFAULT-VALUE}).")
    long maxRate;

    @Option(names = "--progress-ms", defaultValue = "1000", description = "Progress line interval (default ${DEFAULT-VALUE}).")
    long progressMs;
}
