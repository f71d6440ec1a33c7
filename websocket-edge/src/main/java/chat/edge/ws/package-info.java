/**
 * The Micronaut side of the edge: the {@code /ws} endpoint, the adapter from a WebSocket session
 * to {@link chat.edge.delivery.Outbound}, the per-connection protocol and the stats endpoint.
 */
package chat.edge.ws;
