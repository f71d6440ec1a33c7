package chat.edge.consume;

import chat.edge.access.TeamView;
import chat.edge.delivery.Connection;
import chat.edge.protocol.ClientCommand;
import chat.edge.protocol.ErrorCode;
import chat.edge.protocol.ServerFrames;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The sockets' door to {@link Resumer}: present only when the edge reads the log
 * ({@code chat.edge.consumer-enabled}); without it a {@code since} gets {@code resync RESUME_UNAVAILABLE}.
 * With {@code chat.edge.access.enabled} every subscribe first gets its team's membership view
 * (which may block on the shard: call {@link #subscribe} off the socket's event loop).
 */
@Singleton
@Requires(beans = EdgeConsumerService.class)
public final class ResumeService {
    private final EdgeConsumerService service;

    ResumeService(final EdgeConsumerService service) {
        this.service = service;
    }

    /** True when subscribes are authorized by membership (and so may block). */
    public boolean filtersByMembership() {
        return service.views() != null;
    }

    /**
     * Subscribes (and resumes) as {@link Resumer#subscribe} describes; with membership filtering,
     * refuses a non-member ({@code NOT_TEAM_MEMBER}) or, when the team's membership cannot be read,
     * answers {@code MEMBERSHIP_UNAVAILABLE}.
     */
    public void subscribe(final Connection connection, final ClientCommand.Subscribe command) {
        final TeamViews views = service.views();
        if (views == null) {
            service.resumer().subscribe(connection, command);
            return;
        }
        final TeamView view;
        try {
            view = views.acquire(command.teamId());
        } catch (TeamViews.Unavailable e) {
            connection.offer(ServerFrames.error(ErrorCode.MEMBERSHIP_UNAVAILABLE, e.getMessage(), command.id()));
            return;
        }
        try {
            service.resumer().subscribe(connection, command, view);
        } finally {
            views.release(command.teamId());
        }
    }

    /** The team's membership view for a check outside a subscription (typing, presence), or empty. */
    public java.util.Optional<TeamView> view(final String team) {
        final TeamViews views = service.views();
        if (views == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(views.readyView(team));
    }

    /** The resumer, for tests and stats. */
    public Resumer resumer() {
        return service.resumer();
    }
}
