package io.redpacket.launcher;

import io.redpacket.cluster.Checks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Drills on the local stack. */
@Command(name = "drill", mixinStandardHelpOptions = true, description = "Drills that try to break the pipeline on a fresh local stack.",
    subcommands = {DrillCommand.Hostile.class})
final class DrillCommand {
  @Command(name = "hostile", mixinStandardHelpOptions = true,
      description = "While a seeded wave runs on a fresh local stack, write every kind of bad record to every input topic"
          + " (random bytes, truncated Avro, absurd lengths, time stamps years ahead and before 1970, unknown ids, 10 KB ids,"
          + " negative and absurd cents, a pool redefined); check that no job restarts, each bad record has its dead letter"
          + " with its reason, the audits are clean and the good records' grants and outcomes equal a calm run's byte for"
          + " byte. Exit 1 if not.")
  static final class Hostile implements Callable<Integer> {
    @Option(names = "--data-dir", description = "where Kafka and Flink keep the drill's data, deleted after (default: a temporary folder)")
    Path dataDir;

    @Option(names = "--ui-port", description = "Flink REST and web UI port (default: ${DEFAULT-VALUE})")
    int uiPort = 8081;

    @Option(names = "--shakes", description = "good shakes in the wave (default: ${DEFAULT-VALUE})")
    int shakes = 1500;

    @Option(names = "--seed", description = "seed of the random bytes (default: ${DEFAULT-VALUE})")
    long seed = 15;

    @Override
    public Integer call() throws Exception {
      Checks.range("--ui-port", uiPort, 1024, 65535);
      Checks.range("--shakes", shakes, 100, 1_000_000);
      Path dir = dataDir != null ? dataDir : Files.createTempDirectory("redpacket-hostile-drill");
      HostileDrill.Settings small = HostileDrill.Settings.small(dir, uiPort);
      HostileDrill.Settings s = new HostileDrill.Settings(dir, uiPort, small.parallelism(), seed, shakes,
          Math.max(10, shakes * 3 / 5), Math.max(10, shakes / 5), null);
      try {
        return HostileDrill.run(s, System.out).passed() ? 0 : 1;
      } finally {
        io.redpacket.stack.LocalKafka.deleteRecursively(dir.resolve("kafka"));
      }
    }
  }
}
