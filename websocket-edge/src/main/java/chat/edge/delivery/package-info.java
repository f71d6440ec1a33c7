/**
 * Fan-out of rendered frames to connections: the subscription registry (team -> connections),
 * each connection's bounded outbound queue, and the edge's counters. No Micronaut, no Kafka:
 * a socket is reached only through {@link chat.edge.delivery.Outbound}.
 */
package chat.edge.delivery;
