package chat.dev;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./chat dev [--fresh] [--data-dir DIR] [--port 8080] [--shards 4] [--partitions 12] [--edges 1]}: runs the
 * whole platform until Ctrl-C, then stops every server it started. {@code --edges N} runs N WebSocket
 * edges (the stack's own on {@code --port}, the others on the next free ports after it, each its own
 * Micronaut context and Kafka consumer).
 */
public final class DevStackMain {
    private DevStackMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        DevStack.Options o = DevStack.Options.defaults();
        int http = o.httpPort();
        int kafka = o.kafkaPort();
        int pg = o.pgPort();
        int redis = o.redisPort();
        int partitions = o.partitions();
        int shards = o.shards();
        int edges = 1;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            switch (a) {
                case "--fresh" -> o = o.withFresh(true);
                case "--data-dir" -> o = o.withDataDir(Path.of(value(args, ++i, a)));
                case "--port" -> http = Integer.parseInt(value(args, ++i, a));
                case "--kafka-port" -> kafka = Integer.parseInt(value(args, ++i, a));
                case "--pg-port" -> pg = Integer.parseInt(value(args, ++i, a));
                case "--redis-port" -> redis = Integer.parseInt(value(args, ++i, a));
                case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
                case "--shards" -> shards = Integer.parseInt(value(args, ++i, a));
                case "--edges" -> edges = Integer.parseInt(value(args, ++i, a));
                case "-h", "--help" -> {
                    System.out.println("usage: chat dev [--fresh] [--data-dir DIR] [--port N] [--kafka-port N] [--pg-port N]"
                            + " [--redis-port N] [--partitions N] [--shards N] [--edges N]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + a + " (try --help)");
                    System.exit(2);
                }
            }
        }
        o = o.withPorts(http, kafka, pg, redis).withLayout(partitions, shards);
        if (edges < 1) {
            System.err.println("--edges must be >= 1, got " + edges);
            System.exit(2);
        }
        final DevStack stack = DevStack.start(o);
        for (int e = 1; e < edges; e++) {
            stack.startEdge(http == 0 ? 0 : http + e);
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the dev stack ...");
            stack.close();
            stopped.countDown();
        }, "devstack-shutdown"));
        System.out.println();
        System.out.println("chat dev stack is up (data: " + o.dataDir().toAbsolutePath() + ")");
        System.out.println("  HTTP API   " + stack.httpUrl() + "/api/v1");
        System.out.println("  WebSocket  " + String.join("  ", stack.edgeWsUrls()));
        System.out.println("  Kafka      " + stack.bootstrapServers() + "  topic chat.events, " + o.partitions() + " partitions");
        System.out.println("  PostgreSQL 127.0.0.1:" + stack.postgres().port() + "  user " + stack.postgres().user()
                + ", databases chat_shard_0.." + (o.shards() - 1));
        System.out.println("  Redis      " + stack.redis().uri());
        System.out.println("Ctrl-C stops everything.");
        stopped.await();
    }

    private static String value(final String[] args, final int i, final String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
