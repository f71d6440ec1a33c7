package chat.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code chatctl shard ...}: operations on one shard. */
@Command(name = "shard", mixinStandardHelpOptions = true, description = "Operations on one shard.",
        subcommands = {RebuildCommand.class})
final class ShardCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (rebuild)");
    }
}
