package chat.dev.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of the WebSocket wire (RFC 6455) for the bench's NIO fleets: the upgrade request,
 * masked client frames, and server frames parsed out of a read buffer. No extensions are offered,
 * so server frames are never compressed.
 */
final class WsWire {
    static final int TEXT = 1;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

    /** One server frame: its opcode (0 = continuation), whether it is the last of its message, its payload. */
    record Frame(int opcode, boolean fin, byte[] payload) {
    }

    /** A server frame larger than the reader accepts. */
    static final class TooLarge extends IOException {
        TooLarge(final long len) {
            super("frame too large: " + len);
        }
    }

    /**
     * One client socket of a fleet's selector loop and what every such socket holds; every method runs on the
     * loop's thread.
     */
    abstract static class Socket {
        SocketChannel ch;
        int stage;              // 0 new, 1 connecting, 2 upgrading, 3 open, 4 done
        ByteBuffer out;         // bytes not written yet
        byte[] partial;         // unparsed inbound bytes (a frame split across reads, or the upgrade answer)

        /** The socket can take more bytes, or the TCP connect just completed (send the upgrade). */
        final void flush(final SelectionKey k) throws IOException {
            out = WsWire.flush(ch, out, k);
        }

        /** Keeps what is left of {@code buf} for the next read. */
        private void keep(final ByteBuffer buf) {
            final byte[] rest = new byte[buf.remaining()];
            buf.get(rest);
            partial = rest;
        }

        /**
         * Bytes arrived: reads them into {@code buf} (the loop's, shared by its sockets) behind what an earlier
         * read left, completes the upgrade, and hands every whole frame to {@link #frame}.
         *
         * @throws TooLarge when a frame announces more than the buffer can hold
         */
        final void read(final SelectionKey k, final ByteBuffer buf) throws IOException {
            buf.clear();
            if (partial != null) {
                buf.put(partial);
                partial = null;
            }
            if (ch.read(buf) < 0) {
                closedByPeer(k);
                return;
            }
            buf.flip();
            if (stage == 2) {
                final int end = headerEnd(buf);
                if (end < 0) {
                    keep(buf);
                    return;
                }
                final String status = readStatus(buf, end);
                if (!status.startsWith("HTTP/1.1 101")) {
                    failed(k, "upgrade answered " + status.trim());
                    return;
                }
                stage = 3;
                opened(k);
            }
            while (stage == 3) {
                final Frame f = next(buf, buf.capacity() - 16);
                if (f == null) {
                    break;
                }
                frame(k, f);
            }
            if (stage == 3 && buf.hasRemaining()) {
                keep(buf);
            }
        }

        /** Bytes arrived (the fleet passes its loop's buffer to {@link #read}). */
        abstract void readable(SelectionKey k) throws IOException;

        /** The upgrade was answered 101; the socket is open (stage 3). */
        abstract void opened(SelectionKey k) throws IOException;

        /** One whole server frame of an open socket. */
        abstract void frame(SelectionKey k, Frame f) throws IOException;

        /** The peer closed the connection (EOF), during the upgrade (stage 2) or after it. */
        abstract void closedByPeer(SelectionKey k) throws IOException;

        /** The upgrade was refused. */
        abstract void failed(SelectionKey k, String why);
    }

    private WsWire() {
    }

    /** Does what a ready key asks for, in order: finish a connect, write what is pending, read. */
    static void dispatch(final SelectionKey k, final Socket s) throws IOException {
        if (!k.isValid()) {
            return;
        }
        if (k.isConnectable()) {
            s.ch.finishConnect();
            s.stage = 2;
            k.interestOps(SelectionKey.OP_READ);
            s.flush(k);
        }
        if (k.isValid() && k.isWritable()) {
            s.flush(k);
        }
        if (k.isValid() && k.isReadable()) {
            s.readable(k);
        }
    }

    /**
     * Writes what the socket takes of {@code out} (may be null) and returns what is left, null when all of it
     * went; the key waits for writability only while something is left.
     */
    static ByteBuffer flush(final SocketChannel ch, final ByteBuffer out, final SelectionKey k) throws IOException {
        if (out == null) {
            return null;
        }
        ch.write(out);
        if (out.hasRemaining()) {
            k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            return out;
        }
        k.interestOps(SelectionKey.OP_READ);
        return null;
    }

    /** The HTTP upgrade request for {@code /ws?access_token=token} on {@code host} (host:port). */
    static ByteBuffer upgradeRequest(final String host, final String token) {
        final byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        final String req = "GET /ws?access_token=" + token + " HTTP/1.1\r\nHost: " + host
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        return ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
    }

    /** The length of the HTTP answer's head (up to and including the blank line) at {@code b}'s position, or -1. */
    static int headerEnd(final ByteBuffer b) {
        for (int i = b.position(); i + 3 < b.limit(); i++) {
            if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
                return i + 4 - b.position();
            }
        }
        return -1;
    }

    /** Reads the upgrade answer's head off {@code b} and returns its first 16 characters (the status line's start). */
    static String readStatus(final ByteBuffer b, final int headLength) {
        final byte[] head = new byte[headLength];
        b.get(head);
        return new String(head, 0, Math.min(head.length, 16), StandardCharsets.US_ASCII);
    }

    /** A final, masked client frame of at most 65,535 bytes (the fleets send subscribes, pongs and closes). */
    static ByteBuffer clientFrame(final int opcode, final byte[] payload) {
        if (payload.length > 0xffff) {
            throw new IllegalArgumentException("client frame too large: " + payload.length);
        }
        final byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        final int hdr = payload.length < 126 ? 2 : 4;
        final ByteBuffer f = ByteBuffer.allocate(hdr + 4 + payload.length);
        f.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            f.put((byte) (0x80 | payload.length));
        } else {
            f.put((byte) (0x80 | 126)).putShort((short) payload.length);
        }
        f.put(mask);
        for (int i = 0; i < payload.length; i++) {
            f.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return f.flip();
    }

    /** {@code pending} (may be null) followed by {@code more}, ready to write. */
    static ByteBuffer append(final ByteBuffer pending, final ByteBuffer more) {
        if (pending == null || !pending.hasRemaining()) {
            return more;
        }
        final ByteBuffer both = ByteBuffer.allocate(pending.remaining() + more.remaining());
        return both.put(pending).put(more).flip();
    }

    /**
     * The next complete server frame at {@code buf}'s position, advancing past it; null when it is not
     * all in the buffer yet (the position is then unchanged).
     *
     * @throws TooLarge when the frame announces more than {@code maxLen} bytes
     */
    static Frame next(final ByteBuffer buf, final int maxLen) throws TooLarge {
        if (buf.remaining() < 2) {
            return null;
        }
        final int start = buf.position();
        final int b0 = buf.get(start) & 0xff;
        final int b1 = buf.get(start + 1) & 0x7f;
        int hdr = 2;
        long len = b1;
        if (b1 == 126) {
            if (buf.remaining() < 4) {
                return null;
            }
            len = buf.getShort(start + 2) & 0xffff;
            hdr = 4;
        } else if (b1 == 127) {
            if (buf.remaining() < 10) {
                return null;
            }
            len = buf.getLong(start + 2);
            hdr = 10;
        }
        if (len < 0 || len > maxLen) {
            throw new TooLarge(len);
        }
        if (buf.remaining() < hdr + len) {
            return null;
        }
        final byte[] payload = new byte[(int) len];
        buf.position(start + hdr);
        buf.get(payload);
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
    }
}
