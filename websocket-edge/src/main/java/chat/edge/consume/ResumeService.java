package chat.edge.consume;

import chat.edge.delivery.Connection;
import chat.edge.protocol.ClientCommand;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The sockets' door to {@link Resumer}: present only when the edge reads the log
 * ({@code chat.edge.consumer-enabled}); without it a {@code since} gets {@code resync RESUME_UNAVAILABLE}.
 */
@Singleton
@Requires(beans = EdgeConsumerService.class)
public final class ResumeService {
    private final EdgeConsumerService service;

    ResumeService(final EdgeConsumerService service) {
        this.service = service;
    }

    /** Subscribes (and resumes) as {@link Resumer#subscribe} describes. */
    public void subscribe(final Connection connection, final ClientCommand.Subscribe command) {
        service.resumer().subscribe(connection, command);
    }

    /** The resumer, for tests and stats. */
    public Resumer resumer() {
        return service.resumer();
    }
}
