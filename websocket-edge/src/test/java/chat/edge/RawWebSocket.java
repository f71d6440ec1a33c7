package chat.edge;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A blocking WebSocket client on a plain socket that shows the wire: the upgrade answer's headers
 * and each frame's RSV1 bit (permessage-deflate), which java.net.http hides (it never offers
 * extensions). Text frames only; tests.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One received frame: {@code rsv1} = compressed (permessage-deflate); {@code payload} as on the wire. */
    public record Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
        /** The text, inflated when {@code rsv1} (each message alone: the edge keeps no context). */
        public String text() {
            if (!rsv1) {
                return new String(payload, StandardCharsets.UTF_8);
            }
            final Inflater inflater = new Inflater(true);
            try {
                final byte[] in = new byte[payload.length + 4];
                System.arraycopy(payload, 0, in, 0, payload.length);
                in[payload.length + 2] = (byte) 0xff;
                in[payload.length + 3] = (byte) 0xff;
                inflater.setInput(in);
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                final byte[] buf = new byte[8192];
                while (!inflater.needsInput() && !inflater.finished()) {
                    final int n = inflater.inflate(buf);
                    if (n == 0 && inflater.needsInput()) {
                        break;
                    }
                    out.write(buf, 0, n);
                }
                return out.toString(StandardCharsets.UTF_8);
            } catch (DataFormatException e) {
                throw new IllegalStateException("not a deflate payload: " + e.getMessage(), e);
            } finally {
                inflater.end();
            }
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;
    private final Map<String, String> headers;

    private RawWebSocket(final Socket socket, final DataInputStream in, final int status, final Map<String, String> headers)
            throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
    }

    /** Upgrades {@code path} (with its query) on host:port; {@code extensions} null offers none. */
    public static RawWebSocket connect(final String host, final int port, final String path, final String extensions)
            throws IOException {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(10_000);
        final byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        final StringBuilder req = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (extensions != null) {
            req.append("Sec-WebSocket-Extensions: ").append(extensions).append("\r\n");
        }
        req.append("\r\n");
        s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        final DataInputStream in = new DataInputStream(s.getInputStream());
        final String statusLine = line(in);
        final Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            final int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        return new RawWebSocket(s, in, Integer.parseInt(statusLine.split(" ")[1]), headers);
    }

    private static String line(final DataInputStream in) throws IOException {
        final StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed in the upgrade answer");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    public int status() {
        return status;
    }

    /** The upgrade answer's header (lower-case name), or null. */
    public String header(final String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Sends one masked, uncompressed text frame. */
    public void sendText(final String text) throws IOException {
        final byte[] p = text.getBytes(StandardCharsets.UTF_8);
        if (p.length > 125) {
            throw new IllegalArgumentException("tests send short frames only");
        }
        final byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        final byte[] f = new byte[2 + 4 + p.length];
        f[0] = (byte) 0x81;
        f[1] = (byte) (0x80 | p.length);
        System.arraycopy(mask, 0, f, 2, 4);
        for (int i = 0; i < p.length; i++) {
            f[6 + i] = (byte) (p[i] ^ mask[i % 4]);
        }
        out.write(f);
        out.flush();
    }

    /** The next frame (blocks up to the socket timeout). */
    public Frame read() throws IOException {
        final int b0 = in.readUnsignedByte();
        final int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        if (len > 16 * 1024 * 1024) {
            throw new IOException("frame too large for a test: " + len);
        }
        final byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0f, payload);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
