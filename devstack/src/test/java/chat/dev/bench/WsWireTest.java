package chat.dev.bench;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WsWireTest {

    /** An unmasked server frame as the edge writes it. */
    private static byte[] serverFrame(final int opcode, final boolean fin, final byte[] payload) {
        final int n = payload.length;
        final ByteBuffer b = ByteBuffer.allocate(10 + n);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (n < 126) {
            b.put((byte) n);
        } else if (n <= 0xffff) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload).flip();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] bytes(final int n, final char c) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void parsesFramesOfEveryLengthEncodingBackToBack() throws Exception {
        final byte[] small = bytes(125, 'a');
        final byte[] medium = bytes(126, 'b');
        final byte[] large = bytes(70_000, 'c');
        final ByteBuffer buf = ByteBuffer.allocate(80_000);
        buf.put(serverFrame(WsWire.TEXT, true, small)).put(serverFrame(WsWire.PING, true, medium))
                .put(serverFrame(WsWire.TEXT, false, large)).flip();

        final WsWire.Frame a = WsWire.next(buf, 100_000);
        final WsWire.Frame b = WsWire.next(buf, 100_000);
        final WsWire.Frame c = WsWire.next(buf, 100_000);

        assertThat(a.opcode()).isEqualTo(WsWire.TEXT);
        assertThat(a.fin()).isTrue();
        assertThat(a.payload()).isEqualTo(small);
        assertThat(b.opcode()).isEqualTo(WsWire.PING);
        assertThat(b.payload()).isEqualTo(medium);
        assertThat(c.fin()).isFalse();
        assertThat(c.payload()).isEqualTo(large);
        assertThat(WsWire.next(buf, 100_000)).isNull();
        assertThat(buf.hasRemaining()).isFalse();
    }

    @Test
    void anIncompleteFrameLeavesThePositionWhereItWas() throws Exception {
        final byte[] whole = serverFrame(WsWire.TEXT, true, bytes(300, 'x'));
        for (int cut : new int[] {0, 1, 2, 3, 4, 299}) {
            final ByteBuffer buf = ByteBuffer.wrap(whole, 0, cut);
            assertThat(WsWire.next(buf, 1_000)).as("cut at %d", cut).isNull();
            assertThat(buf.position()).isZero();
        }
        assertThat(WsWire.next(ByteBuffer.wrap(whole), 1_000).payload()).hasSize(300);
    }

    @Test
    void aFrameAboveTheLimitIsRefusedBeforeItArrives() {
        final ByteBuffer header = ByteBuffer.allocate(10).put((byte) 0x81).put((byte) 127).putLong(5_000_000L).flip();
        assertThatThrownBy(() -> WsWire.next(header, 1 << 20)).isInstanceOf(WsWire.TooLarge.class)
                .hasMessage("frame too large: 5000000");
    }

    @Test
    void clientFramesAreMaskedAndCarryThePayload() {
        final byte[] payload = "{\"op\":\"subscribe\",\"teamId\":\"t1\"}".getBytes(StandardCharsets.UTF_8);
        final ByteBuffer f = WsWire.clientFrame(WsWire.TEXT, payload);
        assertThat(f.get(0) & 0xff).isEqualTo(0x81);
        assertThat(f.get(1) & 0x80).as("mask bit").isEqualTo(0x80);
        assertThat(f.get(1) & 0x7f).isEqualTo(payload.length);
        final byte[] unmasked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            unmasked[i] = (byte) (f.get(6 + i) ^ f.get(2 + (i & 3)));
        }
        assertThat(unmasked).isEqualTo(payload);
        assertThat(f.remaining()).isEqualTo(6 + payload.length);

        final ByteBuffer big = WsWire.clientFrame(WsWire.TEXT, bytes(200, 'y'));
        assertThat(big.get(1) & 0x7f).isEqualTo(126);
        assertThat(big.getShort(2) & 0xffff).isEqualTo(200);
        assertThat(big.remaining()).isEqualTo(8 + 200);
        assertThatThrownBy(() -> WsWire.clientFrame(WsWire.TEXT, new byte[70_000]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pendingBytesGoOutBeforeTheNextFrame() {
        final ByteBuffer pending = ByteBuffer.wrap(new byte[] {1, 2, 3});
        pending.get(); // one byte already written
        final ByteBuffer both = WsWire.append(pending, ByteBuffer.wrap(new byte[] {4, 5}));
        final byte[] out = new byte[both.remaining()];
        both.get(out);
        assertThat(out).containsExactly(2, 3, 4, 5);
    }

    @Test
    void readsTheUpgradeAnswersHead() {
        final ByteBuffer b = ByteBuffer.wrap(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
                + "\u0081\u0002hi").getBytes(StandardCharsets.ISO_8859_1));
        final int end = WsWire.headerEnd(b);
        assertThat(end).isEqualTo(56);
        assertThat(WsWire.readStatus(b, end)).startsWith("HTTP/1.1 101");
        assertThat(b.remaining()).isEqualTo(4);
        assertThat(WsWire.headerEnd(ByteBuffer.wrap("HTTP/1.1 101\r\n".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(-1);
    }
}
