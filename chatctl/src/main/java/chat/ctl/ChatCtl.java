package chat.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code chatctl}: the operator CLI of the chat platform. It talks to the platform's Kafka and
 * PostgreSQL shards directly and replays {@code chat.events} with the projector's own code.
 *
 * <pre>{@code
 * chatctl verify --against-replay        # exit 0 equal, 1 different, 2 usage/connection error
 * chatctl lag
 * chatctl shard rebuild --shard 2
 * chatctl reshard --to 8
 * chatctl bench replay --events 1000000
 * }</pre>
 */
@Command(name = "chatctl", mixinStandardHelpOptions = true, version = "chatctl 0.1",
        description = "Operator CLI of the chat platform: verify read models, lag, blue/green shard rebuild.",
        subcommands = {VerifyCommand.class, LagCommand.class, ShardCommand.class, ReshardCommand.class, RegionCommand.class, BenchCommand.class, SearchCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success; verify: every table of every shard is equal",
                "1:verify: a table differs (named in the output)",
                "2:usage or connection error, or the platform did not reach the positions in time"})
public final class ChatCtl implements Runnable {
    /** Exit code: success / equal. */
    public static final int OK = 0;
    /** Exit code: verify found a difference. */
    public static final int DIFFERENT = 1;
    /** Exit code: usage or connection error. */
    public static final int ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (verify | lag | shard)");
    }

    public static void main(final String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(final String[] args, final PrintWriter out, final PrintWriter err) {
        final CommandLine cli = new CommandLine(new ChatCtl());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("chatctl: " + (e instanceof CtlException ? e.getMessage() : e.toString()));
            if (!(e instanceof CtlException)) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return ERROR;
        });
        final int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
