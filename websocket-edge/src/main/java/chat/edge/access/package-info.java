/**
 * Who may see what at the edge: a per-team membership view (team members, private channels and
 * their members) loaded from the team's shard at a known checkpoint and evolved by the live events
 * the edge consumes, so membership changes take effect on live connections in log order.
 */
package chat.edge.access;
