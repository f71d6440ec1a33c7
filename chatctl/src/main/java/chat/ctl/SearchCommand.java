package chat.ctl;

import chat.common.kafka.TeamPartitioner;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code chatctl search ...}: operates the search-indexer through its admin endpoints
 * (search-indexer/README.md): progress per partition, a rebuild of one partition's index from
 * offset 0 of the log, and the checksum that shows a rebuilt index equals the live one.
 *
 * <pre>{@code
 * chatctl search status
 * chatctl search rebuild --team acme --wait      # wipe the team's partition index, replay, wait until caught up
 * chatctl search checksum --partition 7
 * }</pre>
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search-indexer operations: status, rebuild a partition's index from the log, checksum.",
        subcommands = {SearchCommand.Status.class, SearchCommand.Rebuild.class, SearchCommand.Checksum.class})
final class SearchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command (status | rebuild | checksum)");
    }

    /** Where the search instance is and how to authenticate to its admin endpoints. */
    static final class Target {
        @Option(names = "--search-url", paramLabel = "URL", defaultValue = "${env:CHAT_SEARCH_URL:-http://127.0.0.1:8080}",
                description = "Base URL of the search instance that indexes the partition (env CHAT_SEARCH_URL; default ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--admin-token", defaultValue = "${env:CHAT_SEARCH_ADMIN_TOKEN:-dev-search-admin}",
                description = "chat.search.admin-token of that instance (env CHAT_SEARCH_ADMIN_TOKEN; default: the dev stack's).")
        String token;

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        String call(final String method, final String path, final Duration timeout) {
            final HttpRequest request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path)).timeout(timeout)
                    .header("X-Chat-Admin-Token", token).method(method, HttpRequest.BodyPublishers.noBody()).build();
            try {
                final HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) {
                    throw new CtlException(method + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
                }
                return r.body();
            } catch (IOException e) {
                throw new CtlException("cannot reach the search instance at " + url + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CtlException("interrupted", e);
            }
        }
    }

    /** One partition, by number or by a team living in it. */
    static final class Which {
        @Option(names = "--partition", required = true, description = "Partition of chat.events.")
        Integer partition;

        @Option(names = "--team", required = true, description = "A team id: its partition (with --partitions).")
        String team;
    }

    static final class PartitionChoice {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Option(names = "--partitions", defaultValue = "${env:CHAT_KAFKA_PARTITIONS:-12}",
                description = "Partition count of chat.events, to find a team's partition (env CHAT_KAFKA_PARTITIONS; default ${DEFAULT-VALUE}).")
        int partitions;

        int partition() {
            return which.partition != null ? which.partition : TeamPartitioner.partitionOf(which.team, partitions);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Per partition: applied, searchable and committed offsets, log end, lag, documents (JSON).")
    static final class Status implements Callable<Integer> {
        @Mixin
        Target target = new Target();
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(target.call("GET", "/api/v1/search/status", Duration.ofSeconds(30)));
            return ChatCtl.OK;
        }
    }

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Wipe one partition's search index and replay it from offset 0 of chat.events. Searches of its"
                    + " teams answer 503 SEARCH_INDEX_BEHIND until the replay reaches the log end.")
    static final class Rebuild implements Callable<Integer> {
        @Mixin
        Target target = new Target();
        @Mixin
        PartitionChoice choice = new PartitionChoice();
        @Option(names = "--wait", description = "Wait until the rebuilt index has caught up with the log end, then print its checksum.")
        boolean await;
        @Option(names = "--timeout-seconds", defaultValue = "600", description = "With --wait: give up after this long (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            final int p = choice.partition();
            final long t0 = System.nanoTime();
            out.println(target.call("POST", "/api/v1/search/partitions/" + p + "/rebuild", Duration.ofSeconds(60)));
            if (await) {
                final String sum = target.call("GET", "/api/v1/search/partitions/" + p + "/checksum?waitMs=" + timeoutSeconds * 1000L,
                        Duration.ofSeconds(timeoutSeconds + 30L));
                out.println(sum);
                out.printf("partition %d rebuilt and caught up in %.1f s%n", p, (System.nanoTime() - t0) / 1e9);
            }
            return ChatCtl.OK;
        }
    }

    @Command(name = "checksum", mixinStandardHelpOptions = true,
            description = "Once the partition's index reached the log end: message and access-fact counts and a checksum of"
                    + " every stored field. Equal before and after a rebuild = the rebuild equals live.")
    static final class Checksum implements Callable<Integer> {
        @Mixin
        Target target = new Target();
        @Mixin
        PartitionChoice choice = new PartitionChoice();
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(target.call("GET", "/api/v1/search/partitions/" + choice.partition() + "/checksum",
                    Duration.ofSeconds(60)));
            return ChatCtl.OK;
        }
    }
}
