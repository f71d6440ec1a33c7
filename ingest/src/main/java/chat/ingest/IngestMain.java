package chat.ingest;

import io.micronaut.runtime.Micronaut;

/** Runs the ingest service alone (production: one service per process, config from env/files). */
public final class IngestMain {
    private IngestMain() {
    }

    public static void main(final String[] args) {
        Micronaut.build(args).mainClass(IngestMain.class).properties(java.util.Map.of(
                "micronaut.application.name", "ingest")).start();
    }
}
