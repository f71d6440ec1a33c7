package chat.edge.ws;

import chat.edge.TestAuth;
import chat.edge.CloseCodes;
import chat.edge.TestClient;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EdgeShutdownIT {

    @Test
    void whenTheEdgeStops_thenEveryClientIsClosedWithTheReconnectCode() throws Exception {
        final EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.edge.consumer-enabled", false,
                "chat.kafka.bootstrap-servers", "unused:9092"));
        final URI ws = URI.create("ws://127.0.0.1:" + server.getPort() + "/ws");
        final HttpClient http = HttpClient.newHttpClient();
        final TestClient a = TestClient.connect(http, ws);
        final TestClient b = TestClient.connect(http, ws);
        a.send("{\"op\":\"subscribe\",\"teamId\":\"t1\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.messages().size() == 1);

        server.getApplicationContext().close();

        assertThat(a.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseCodes.SHUTDOWN);
        assertThat(b.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseCodes.SHUTDOWN);
    }
}
