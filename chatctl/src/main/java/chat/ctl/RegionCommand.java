package chat.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code chatctl region ...}: operations on a whole region's read models. */
@Command(name = "region", mixinStandardHelpOptions = true, description = "Operations on a whole region's read models.",
        subcommands = {RegionBootstrapCommand.class})
final class RegionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (bootstrap)");
    }
}
