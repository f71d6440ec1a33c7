/**
 * Presence (online/away/offline per user per team) and typing indicators, shared by all edges
 * through Redis ({@link chat.common.redis.PresenceKeys}) and pushed to clients through Redis
 * pub/sub; never written to the log. See websocket-edge/README.md.
 */
package chat.edge.presence;
