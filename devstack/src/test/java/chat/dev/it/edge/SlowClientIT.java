package chat.dev.it.edge;

import chat.dev.it.Tokens;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import chat.edge.CloseCodes;
import chat.edge.delivery.EdgeStats;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading (a raw socket with a 4 KiB receive buffer that never reads) next to
 * fast clients of the same team: the slow one is closed with 4008 once its bounded queue is full,
 * the fast ones get every event with low latency, and the edge's queued bytes stay bounded.
 */
class SlowClientIT {
    private static final int MESSAGES = 200;

    @Test
    void givenOneClientThatStopsReading_whenATeamIsBusy_thenOnlyItIsClosedWith4008AndTheOthersKeepUp() throws Exception {
        // Given an edge with a small queue bound, 5 fast clients and one that never reads. The bound
        // (100 frames / 2 MiB) holds two posting bursts of 20 x 30 KB for a client that reads: a
        // fast client's frames may wait for a busy event loop that long on a loaded 2-core machine,
        // and that is not the slowness this test is about (a 256 KiB bound closed fast ones in CI).
        final DevStack stack = TestStack.get();
        final EmbeddedServer edge = stack.startEdge(0, EdgeProps.access(stack, Map.of(
                "chat.edge.max-queued-frames", 100,
                "chat.edge.max-queued-bytes", 2_097_152,
                "chat.edge.close-grace", "1s")));
        final String url = "ws://127.0.0.1:" + edge.getPort() + "/ws";
        final String team = "slowclient-1";
        final List<EdgeClient> fast = new ArrayList<>();
        final Posts posts = new Posts(stack.httpUrl()).provision(team, "general");
        try (Socket slow = rawSubscriber(edge.getPort(), team)) {
            for (int i = 0; i < 5; i++) {
                fast.add(EdgeClient.connect(url).subscribeAndWait(team));
            }
            final EdgeStats stats = edge.getApplicationContext().getBean(EdgeStats.class);

            // When 200 messages of ~30 KB (6 MB, more than the socket buffers and the bound hold) are posted
            final String padding = "x".repeat(30_000);
            final List<CompletableFuture<Posts.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                replies.add(posts.post(team, "general", "s" + i + " " + padding));
                if (i % 20 == 19) {
                    replies.forEach(CompletableFuture::join);
                }
            }
            replies.forEach(r -> assertThat(r.join().status()).isEqualTo(201));

            // Then the fast clients get all 200, each once, quickly; the slow one was closed as slow
            await().atMost(Duration.ofSeconds(30))
                    .failFast("a fast client was closed", () -> fast.stream().anyMatch(c -> !c.closeCodes.isEmpty()))
                    .untilAsserted(() -> assertThat(fast).as("fast clients' received messages and close codes")
                            .allSatisfy(c -> assertThat(c.messages().size()).as(c.messages().size() + " messages, closes " + c.closeCodes)
                                    .isGreaterThanOrEqualTo(MESSAGES)));
            final List<Long> latencies = new ArrayList<>();
            for (EdgeClient c : fast) {
                assertThat(c.messages()).hasSize(MESSAGES);
                // Posted 20 at a time, so log order within a batch is the broker's: check each once, offsets rising.
                final java.util.Set<String> seen = new java.util.HashSet<>();
                long lastOffset = -1;
                for (var e : c.messages()) {
                    seen.add(e.at("/event/text").asText().split(" ")[0]);
                    assertThat(e.at("/position/offset").asLong()).isGreaterThan(lastOffset);
                    lastOffset = e.at("/position/offset").asLong();
                    latencies.add(e.get("_receivedAt").asLong() - e.get("appendedAt").asLong());
                }
                assertThat(seen).hasSize(MESSAGES);
                assertThat(c.closeCodes).isEmpty();
            }
            latencies.sort(null);
            final long p99 = latencies.get((int) (latencies.size() * 0.99) - 1);
            assertThat(p99).as("p99 append -> fast client, ms (shared 2-core machine)").isLessThan(1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> stats.snapshot().queueOverflows() == 1);
            assertThat(stats.snapshot().connections()).isEqualTo(5);
            // The slow socket is cut (close frame queued behind the backlog, then the cut after the grace)
            slow.setSoTimeout(15_000);
            final int closeCode = readUntilClose(slow.getInputStream());
            assertThat(closeCode).isIn(CloseCodes.SLOW_CONSUMER, -1);
            assertThat(CloseCodes.isReconnect(CloseCodes.SLOW_CONSUMER)).isTrue();
        } finally {
            fast.forEach(EdgeClient::close);
            stack.stopEdge(edge);
        }
    }

    /** A WebSocket handshake on a raw socket with a tiny receive buffer, then a subscribe; never reads after. */
    private static Socket rawSubscriber(final int port, final String team) throws Exception {
        final Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        final byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        final OutputStream out = s.getOutputStream();
        out.write(("GET /ws?access_token=" + Tokens.token(Posts.USER) + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final InputStream in = s.getInputStream();
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            final int b = in.read();
            assertThat(b).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        writeMaskedText(out, "{\"op\":\"subscribe\",\"teamId\":\"" + team + "\"}");
        // Read the reply so the subscription is in place before messages flow; then never read again.
        final int[] frame = readFrameHeader(in);
        in.readNBytes(frame[1]);
        return s;
    }

    private static void writeMaskedText(final OutputStream out, final String text) throws Exception {
        final byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        final byte[] mask = {1, 2, 3, 4};
        out.write(0x81);
        out.write(0x80 | payload.length); // < 126 bytes
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
    }

    /** Returns {opcode, payload length} of the next server frame (servers do not mask). */
    private static int[] readFrameHeader(final InputStream in) throws Exception {
        final int b0 = in.read();
        final int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            return new int[] {-1, 0};
        }
        long len = b1 & 0x7f;
        if (len == 126) {
            len = ((long) in.read() << 8) | in.read();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | in.read();
            }
        }
        return new int[] {b0 & 0x0f, (int) len};
    }

    /** Reads frames until a close frame (returns its code) or the end of the stream (returns -1). */
    private static int readUntilClose(final InputStream in) throws Exception {
        while (true) {
            final int[] h = readFrameHeader(in);
            if (h[0] < 0) {
                return -1;
            }
            final byte[] payload = in.readNBytes(h[1]);
            if (h[0] == 0x8) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        }
    }
}
