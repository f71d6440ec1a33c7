package chat.edge.ws;

import chat.edge.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop writer on a real Netty pipeline ({@link EmbeddedChannel}): frames of one run reach each
 * socket in order with one flush, every frame's completion runs once and in order although only the
 * last frame of a run carries a promise, and a failed write reports to every frame of its run.
 */
class LoopWriterTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    private static Frame frame(final String text) {
        return Frame.ofText(text);
    }

    private static List<String> written(final EmbeddedChannel ch) {
        final List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            final TextWebSocketFrame f = (TextWebSocketFrame) m;
            out.add(f.text());
            f.release();
        }
        return out;
    }

    @Test
    void framesOfOneRunAreWrittenInOrderAndEachCompletionRunsOnce() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = new SessionOutbound(null, ch, GRACE);
        final List<String> done = new ArrayList<>();
        for (String text : List.of("a", "b", "c")) {
            socket.send(frame(text), failure -> done.add(text + (failure == null ? ":ok" : ":failed")));
        }
        assertThat(written(ch)).isEmpty(); // nothing before the loop runs the burst
        ch.runPendingTasks();

        assertThat(written(ch)).containsExactly("a", "b", "c");
        assertThat(done).containsExactly("a:ok", "b:ok", "c:ok");
        ch.checkException();
    }

    @Test
    void aFailedWriteReportsToEveryFrameOfItsRunWithoutAnExceptionInThePipeline() {
        // A socket whose writes fail (the peer reset the connection).
        final EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("Connection reset by peer"));
            }
        });
        final SessionOutbound socket = new SessionOutbound(null, ch, GRACE);
        final List<Throwable> failures = new ArrayList<>();
        socket.send(frame("x"), failures::add);
        socket.send(frame("y"), failures::add);
        ch.runPendingTasks();

        assertThat(failures).hasSize(2).allSatisfy(f -> assertThat(f).hasMessage("Connection reset by peer"));
        ch.checkException(); // the frames before the last report through the last one, not the pipeline
    }

    @Test
    void aCloseGoesBehindTheFramesHandedOverBeforeIt() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = new SessionOutbound(null, ch, GRACE);
        final List<String> order = new ArrayList<>();
        socket.send(frame("last words"), f -> order.add("frame written"));
        LoopWriter.of(ch.eventLoop()).submit(new LoopWriter.Write(socket, () -> order.add("close action, "
                + written(ch).size() + " frame(s) out")));
        ch.runPendingTasks();

        assertThat(order).containsExactly("frame written", "close action, 1 frame(s) out");
    }
}
