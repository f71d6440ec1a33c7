package chat.edge;

import io.micronaut.runtime.Micronaut;

/**
 * Runs the WebSocket edge alone as a Micronaut application. Configuration comes from
 * {@code application-edge.properties} (the {@code edge} environment), system properties and
 * environment variables, e.g.
 *
 * <pre>{@code
 * CHAT_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 java -cp ... chat.edge.EdgeMain
 * }</pre>
 */
public final class EdgeMain {
    private EdgeMain() {
    }

    public static void main(final String[] args) {
        Micronaut.build(args).mainClass(EdgeMain.class).defaultEnvironments("edge").start();
    }
}
