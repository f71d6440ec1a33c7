package chat.dev.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's NIO WebSocket fleet against the in-memory forwarder (a real Netty WebSocket server on
 * loopback): every client subscribes, every post reaches every subscriber of its team exactly once
 * and is matched to its POST, and closing ends every socket.
 */
class WsFleetTest {

    @Test
    void everyPostReachesEverySubscriberOfItsTeamOnce() throws Exception {
        try (Forwarder.Running fwd = Forwarder.start(0, 2)) {
            assertEveryPostReachesEverySubscriberOnce(fwd);
        }
    }

    /** 30 clients over 3 teams, 60 posts: 600 frames, each matched to its POST once; the fleet's threads end. */
    static void assertEveryPostReachesEverySubscriberOnce(final Forwarder.Running fwd) throws Exception {
        final String[] teams = {"fleet-a", "fleet-b", "fleet-c"};
        final String[] users = new String[30];
        for (int i = 0; i < users.length; i++) {
            users[i] = "fleet-u" + i;
        }
        final ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
            final Thread t = new Thread(r, "fleet-test-http");
            t.setDaemon(true);
            return t;
        });
        try {
            final String url = "http://127.0.0.1:" + fwd.port();
            final Tracker tracker = new Tracker();
            final WsFleet fleet = new WsFleet("ws://127.0.0.1:" + fwd.port(), url, users, teams, tracker);
            try (Poster poster = new Poster(url, teams, "general", 20, tracker, fleet, 64, Duration.ofSeconds(10), ex)) {
                poster.provision();
                assertThat(fleet.open(users.length, Duration.ofSeconds(20))).isEqualTo(users.length);
                assertThat(fleet.openSockets()).isEqualTo(30);
                for (int t = 0; t < teams.length; t++) {
                    assertThat(fleet.fanout(t)).isEqualTo(10);
                }

                // 60 posts in 1 s; up to 64 in flight, so that none is dropped however slow the first ones are
                final Phase run = new Phase("run", 60, true);
                poster.pace(run, 60, 1.0);
                assertThat(poster.awaitAnswers(Duration.ofSeconds(10))).isZero();
                final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (run.outstandingFrames() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }

                assertThat(run.postErrors()).as("post errors: statuses %s, timeouts %d, I/O errors %d, dropped %d, bad answers %d",
                        run.statusCounts, run.timeouts.get(), run.ioErrors.get(), run.droppedInflight.get(),
                        run.badResponses.get()).isZero();
                assertThat(run.accepted.get()).isEqualTo(60);
                assertThat(run.expectedFrames.get()).isEqualTo(600);
                assertThat(run.deliveredFrames.get()).isEqualTo(600);
                assertThat(run.sendToFrame.count()).isEqualTo(600);
                assertThat(tracker.framesReceived.get()).isEqualTo(600);
                assertThat(tracker.duplicateFrames.get()).isZero();
                assertThat(tracker.pending()).isZero();
                assertThat(fleet.unexpectedEvents()).isZero();
                assertThat(fleet.unparsedFrames.get()).isZero();
            } finally {
                fleet.close();
            }
            assertThat(fleet.openSockets()).isZero();
            assertThat(fleet.unexpectedCloses.get()).isZero();
            assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("bench-ws-")))
                    .as("the fleet's loop threads end with it").isEmpty();
        } finally {
            ex.shutdownNow();
        }
    }
}
