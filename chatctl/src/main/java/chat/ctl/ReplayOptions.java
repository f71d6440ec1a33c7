package chat.ctl;

import picocli.CommandLine.Option;

/** How a replay runs: shared by {@code shard rebuild} and {@code reshard}. */
final class ReplayOptions {
    @Option(names = "--batch-size", defaultValue = "5000", description = "Events per transaction (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--parallelism", defaultValue = "3", description = "Partitions replayed at once, each with its own consumer, thread and connection (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--max-rate", defaultValue = "0", paramLabel = "EVENTS/S",
            description = "Average replay rate cap, 0 = unlimited (default ${DEFAULT-VALUE}).")
    long maxRate;

    @Option(names = "--progress-ms", defaultValue = "1000", description = "Progress line interval (default ${DEFAULT-VALUE}).")
    long progressMs;

    /** Refuses out-of-range values before anything is created or connected (usage error, exit 2). */
    void check(final picocli.CommandLine cli) {
        check(cli, batchSize, parallelism);
        if (maxRate < 0 || progressMs < 1) {
            throw new picocli.CommandLine.ParameterException(cli, "--max-rate must be >= 0 and --progress-ms >= 1, got "
                    + maxRate + " and " + progressMs);
        }
    }

    static void check(final picocli.CommandLine cli, final int batchSize, final int parallelism) {
        if (batchSize < 1 || parallelism < 1) {
            throw new picocli.CommandLine.ParameterException(cli, "--batch-size and --parallelism must be >= 1, got "
                    + batchSize + " and " + parallelism);
        }
    }
}
