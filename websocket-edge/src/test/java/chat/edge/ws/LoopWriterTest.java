package chat.edge.ws;

import chat.edge.protocol.Frame;
import chat.edge.delivery.Handoff;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
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

    /** A socket whose frames below {@code rawBelow} payload bytes go pre-encoded. */
    private static SessionOutbound socket(final EmbeddedChannel ch, final int rawBelow) {
        return new SessionOutbound(null, ch, GRACE, rawBelow);
    }

    private static SessionOutbound socket(final EmbeddedChannel ch) {
        return socket(ch, Integer.MAX_VALUE);
    }

    /** The texts written to {@code ch}, pre-encoded bytes decoded as a client would; every message released. */
    private static List<String> written(final EmbeddedChannel ch) {
        final List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            if (m instanceof TextWebSocketFrame f) {
                out.add(f.text());
                f.release();
            } else {
                final ByteBuf bytes = (ByteBuf) m;
                out.add(decode(bytes));
                bytes.release();
            }
        }
        return out;
    }

    /** Decodes one unmasked text frame as a client does (Netty's decoder); does not release {@code bytes}. */
    private static String decode(final ByteBuf bytes) {
        final EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20));
        client.writeInbound(bytes.retainedDuplicate());
        final TextWebSocketFrame f = client.readInbound();
        assertThat(client.<Object>readInbound()).isNull();
        try {
            return f.text();
        } finally {
            f.release();
            client.finishAndReleaseAll();
        }
    }

    @Test
    void framesOfOneRunAreWrittenInOrderAndEachCompletionRunsOnce() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = socket(ch);
        final List<String> done = new ArrayList<>();
        for (String text : List.of("a", "b", "c")) {
            socket.send(frame(text), (f, failure) -> done.add(text + (failure == null ? ":ok" : ":failed")));
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
        final SessionOutbound socket = socket(ch);
        final List<Throwable> failures = new ArrayList<>();
        socket.send(frame("x"), (f, failure) -> failures.add(failure));
        socket.send(frame("y"), (f, failure) -> failures.add(failure));
        ch.runPendingTasks();

        assertThat(failures).hasSize(2).allSatisfy(f -> assertThat(f).hasMessage("Connection reset by peer"));
        ch.checkException(); // the frames before the last report through the last one, not the pipeline
    }

    @Test
    void aCloseGoesBehindTheFramesHandedOverBeforeIt() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = socket(ch);
        final List<String> order = new ArrayList<>();
        socket.send(frame("last words"), (f, failure) -> order.add("frame written"));
        LoopWriter.of(ch.eventLoop()).submit(new LoopWriter.Write(socket, () -> order.add("close action, "
                + written(ch).size() + " frame(s) out")));
        ch.runPendingTasks();

        assertThat(order).containsExactly("frame written", "close action, 1 frame(s) out");
    }

    @Test
    void preEncodedFramesAreByteForByteWhatNettysEncoderWrites() {
        for (int size : new int[] {0, 1, 125, 126, 127, 1000, 65535, 65536, 70000}) {
            final Frame f = frame("x".repeat(size));
            final ByteBuf ours = LoopWriter.encode(f, UnpooledByteBufAllocator.DEFAULT);
            final EmbeddedChannel netty = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
            netty.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(f.utf8())));
            final ByteBuf theirs = Unpooled.buffer();
            ByteBuf part;
            while ((part = netty.readOutbound()) != null) {
                theirs.writeBytes(part);
                part.release();
            }
            assertThat(ByteBufUtil.equals(ours, theirs)).as("%d payload bytes", size).isTrue();
            assertThat(ours.isDirect()).as("written to the socket without a copy").isTrue();
            ours.release();
            theirs.release();
        }
    }

    @Test
    void framesBelowTheCompressionThresholdGoPreEncodedLargerOnesAsTextFramesForTheCompressor() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = socket(ch, 10);
        socket.send(frame("small"), (f, failure) -> { });
        socket.send(frame("large enough to compress"), (f, failure) -> { });
        ch.runPendingTasks();

        final Object small = ch.readOutbound();
        final Object large = ch.readOutbound();
        assertThat(small).isInstanceOf(ByteBuf.class);
        assertThat(large).isInstanceOf(TextWebSocketFrame.class);
        assertThat(decode((ByteBuf) small)).isEqualTo("small");
        assertThat(((TextWebSocketFrame) large).text()).isEqualTo("large enough to compress");
        ReferenceCountUtil.release(small);
        ReferenceCountUtil.release(large);
        assertThat(((ByteBuf) small).refCnt()).as("the encoded frame is freed with its last write").isZero();
    }

    @Test
    void oneEventToManySocketsOfALoopIsEncodedOnceAndFreedAfterTheLastWrite() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound a = socket(ch);
        final SessionOutbound b = socket(ch);
        final Frame event = frame("{\"type\":\"event\"}");
        a.send(event, (f, failure) -> { });
        b.send(event, (f, failure) -> { });
        ch.runPendingTasks();

        final ByteBuf first = ch.readOutbound();
        final ByteBuf second = ch.readOutbound();
        assertThat(first.unwrap()).as("both duplicates of one encoded buffer").isSameAs(second.unwrap());
        assertThat(decode(first)).isEqualTo(decode(second)).isEqualTo("{\"type\":\"event\"}");
        assertThat(first.release()).isFalse();
        assertThat(second.release()).isTrue();
    }

    @Test
    void aHandoffBurstWakesTheLoopOnceAtItsEnd() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = socket(ch);
        try (Handoff burst = Handoff.begin()) {
            socket.send(frame("a"), (f, failure) -> { });
            socket.send(frame("b"), (f, failure) -> { });
            ch.runPendingTasks();
            assertThat(written(ch)).as("no drain scheduled inside the burst").isEmpty();
        }
        ch.runPendingTasks();
        assertThat(written(ch)).containsExactly("a", "b");
    }

    @Test
    void aBurstLargerThanOneRunIsWrittenWholeAndInOrderOverSeveralRuns() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final SessionOutbound socket = socket(ch);
        final int frames = 2 * LoopWriter.MAX_WRITES_PER_RUN + 7;
        final List<Integer> done = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            final int n = i;
            socket.send(frame(Integer.toString(i)), (f, failure) -> done.add(n));
        }
        ch.runPendingTasks();

        final List<String> out = written(ch);
        assertThat(out).hasSize(frames);
        for (int i = 0; i < frames; i++) {
            assertThat(out.get(i)).isEqualTo(Integer.toString(i));
        }
        assertThat(done).hasSize(frames).isSorted();
        // Nothing left behind: a later frame is written by a fresh wake-up.
        socket.send(frame("after"), (f, failure) -> { });
        ch.runPendingTasks();
        assertThat(written(ch)).containsExactly("after");
    }
}
