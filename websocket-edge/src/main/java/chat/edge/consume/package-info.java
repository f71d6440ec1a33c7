/**
 * The edge's single Kafka consumer: assigned every partition of {@code chat.events} (no consumer
 * group, every edge sees every event), starting at the log end, routing each record by team.
 */
package chat.edge.consume;
