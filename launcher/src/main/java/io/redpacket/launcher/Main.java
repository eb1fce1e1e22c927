package io.redpacket.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "redpacket", mixinStandardHelpOptions = true, version = "redpacket 0.1.0",
    description = "The red-packet pipeline: a local stack, pools, waves of shakes, the audit and benchmarks.",
    subcommands = {DemoCommand.class, StackCommand.class, ClusterCommand.class, JobsCommand.class, PoolCommand.class, SimulateCommand.class,
        AuditCommand.class, DrillCommand.class, SqlCommand.class, BenchCommand.class, io.redpacket.ingest.IngestMain.class, IngestCommand.Token.class, CommandLine.HelpCommand.class})
public final class Main {
  public static void main(String[] args) {
    String tmp = System.getProperty("redpacket.tmp");
    if (tmp != null) { // the launcher script's per-run temporary folder
      Runtime.getRuntime().addShutdownHook(new Thread(() -> io.redpacket.stack.LocalKafka.deleteRecursively(java.nio.file.Path.of(tmp)), "delete-tmp"));
    }
    System.exit(cli().execute(args));
  }

  /** The command line with its error handling: usage errors exit 2 with a hint, failures exit 1. */
  static CommandLine cli() {
    CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
        cmd.getErr().println("see: ./redpacket " + cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^redpacket ", "") + " --help");
        return 2;
      }
      cmd.getErr().println(cmd.getCommandName() + " failed: " + e);
      e.printStackTrace(cmd.getErr());
      return 1;
    });
    return cli;
  }
}
