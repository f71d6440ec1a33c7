package chat.edge;

/**
 * The one table of WebSocket close codes the edge sends. Codes {@code 4000-4099} mean
 * <b>reconnect</b> (to this or another edge, with back-off, resuming from the last position the
 * client saw); codes {@code 4400-4499} are <b>terminal</b>: reconnecting with the same input fails
 * the same way, so a client must not retry without a change (new token, fixed code).
 *
 * <table>
 *   <caption>close codes</caption>
 *   <tr><th>code</th><th>name</th><th>kind</th><th>meaning</th></tr>
 *   <tr><td>4000</td><td>{@link #SHUTDOWN}</td><td>reconnect</td><td>edge is shutting down or draining</td></tr>
 *   <tr><td>4008</td><td>{@link #SLOW_CONSUMER}</td><td>reconnect</td><td>outbound queue bound exceeded; resume or resync</td></tr>
 *   <tr><td>4010</td><td>{@link #INTERNAL_ERROR}</td><td>reconnect</td><td>edge-side failure, not the client's fault</td></tr>
 *   <tr><td>4001</td><td>{@link #IDLE_TIMEOUT}</td><td>reconnect</td><td>no frame and no pong within {@code chat.edge.limits.idle-timeout}</td></tr>
 *   <tr><td>4400</td><td>{@link #PROTOCOL_ERROR}</td><td>terminal</td><td>too many invalid frames</td></tr>
 *   <tr><td>4401</td><td>{@link #UNAUTHORIZED}</td><td>terminal</td><td>no valid JWT on the upgrade request (missing, expired, forged; {@code chat.common.auth.Identity}), or the token expired while connected</td></tr>
 *   <tr><td>4403</td><td>{@link #FORBIDDEN}</td><td>terminal</td><td>reserved: not allowed to see the team</td></tr>
 *   <tr><td>4429</td><td>{@link #TOO_MANY_CONNECTIONS}</td><td>terminal</td><td>over {@code chat.edge.limits.max-connections-per-user} or {@code -per-ip}</td></tr>
 *   <tr><td>4413</td><td>{@link #MESSAGE_TOO_BIG}</td><td>terminal</td><td>a client frame exceeded {@code chat.edge.max-inbound-frame-bytes}</td></tr>
 * </table>
 *
 * <p>Frames above the transport's hard limit (64 KiB) are refused by Netty itself with the
 * standard code 1009; a client treats 1009 as terminal too. Any other code (1001 going away,
 * 1006 abnormal) is a network event: reconnect.
 *
 * <pre>{@code
 * if (CloseCodes.isReconnect(code)) { scheduleReconnect(lastPosition); } else { giveUp(code); }
 * }</pre>
 */
public final class CloseCodes {
    /** Reconnect: the edge is shutting down or draining; connect to another edge. */
    public static final int SHUTDOWN = 4000;
    /** Reconnect: the client sent nothing and answered no ping for too long (a dead connection, reaped). */
    public static final int IDLE_TIMEOUT = 4001;
    /** Reconnect: the client did not read fast enough; reconnect and resume from its last position. */
    public static final int SLOW_CONSUMER = 4008;
    /** Reconnect (with back-off): the edge failed, e.g. it lost its Kafka consumer. */
    public static final int INTERNAL_ERROR = 4010;
    /** Terminal: the client sent too many invalid frames. */
    public static final int PROTOCOL_ERROR = 4400;
    /** Terminal: the upgrade request names no (valid) user; reconnecting with the same credentials fails again. */
    public static final int UNAUTHORIZED = 4401;
    /** Terminal (reserved for auth): the user may not see what it asked for. */
    public static final int FORBIDDEN = 4403;
    /**
     * Terminal: the user (or the client's IP address) already holds the most connections this edge
     * allows; the client must close others before it connects again (no automatic retry loop).
     */
    public static final int TOO_MANY_CONNECTIONS = 4429;
    /** Terminal: a client frame was larger than the edge accepts. */
    public static final int MESSAGE_TOO_BIG = 4413;

    private CloseCodes() {
    }

    /**
     * True when a client should reconnect after {@code code}: the edge's reconnect range
     * {@code 4000-4099} and every code outside the edge's ranges except 1008-1009 (policy, size).
     */
    public static boolean isReconnect(final int code) {
        if (code >= 4000 && code <= 4099) {
            return true;
        }
        if (code >= 4400 && code <= 4499) {
            return false;
        }
        return code != 1008 && code != 1009;
    }
}
