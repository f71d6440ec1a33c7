/**
 * The edge's wire protocol: JSON text frames parsed from clients ({@link chat.edge.protocol.CommandParser})
 * and rendered for them ({@link chat.edge.protocol.ServerFrames}, {@link chat.edge.protocol.EventFrames}).
 * Pure functions over strings and bytes; no I/O. See websocket-edge/README.md for the protocol.
 */
package chat.edge.protocol;
