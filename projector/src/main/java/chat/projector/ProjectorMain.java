package chat.projector;

import io.micronaut.runtime.Micronaut;

/**
 * Runs the projector alone as a Micronaut application (production: each service in its own
 * process), with the {@code projector} environment active so {@code application-projector.yml}
 * applies. Configuration keys: see the module README.
 *
 * <pre>{@code
 * java -cp projector.jar chat.projector.ProjectorMain
 * }</pre>
 */
public final class ProjectorMain {
    private ProjectorMain() {
    }

    public static void main(final String[] args) {
        Micronaut.build(args)
                .mainClass(ProjectorMain.class)
                .defaultEnvironments("projector")
                .start();
    }
}
