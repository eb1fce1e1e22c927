package io.redpacket.launcher;

import io.redpacket.cluster.LocalStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stack", mixinStandardHelpOptions = true, description = "The local stack.", subcommands = {StackCommand.Up.class})
final class StackCommand {

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Start a Kafka broker, create the topics and run the allocation and settlement jobs; Ctrl-C stops everything.")
  static final class Up implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = ".redpacket/stack", description = "where Kafka and Flink keep data (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--keep-data", description = "keep the broker's data after stopping, to resume later")
    boolean keepData;

    @Option(names = "--partitions", defaultValue = "8", description = "partitions per topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of the job (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--ui-port", defaultValue = "8081", description = "Flink REST and web UI port (default: ${DEFAULT-VALUE})")
    int uiPort;

    @Option(names = "--expiry-seconds", defaultValue = "86400", description = "refund grants left unopened this long (default: ${DEFAULT-VALUE}, i.e. 24 h)")
    long expirySeconds;

    @Option(names = "--share-expiry-seconds", defaultValue = "86400", description = "a share is open for claims this long,"
        + " then what is left is refunded (default: ${DEFAULT-VALUE}, i.e. 24 h)")
    long shareExpirySeconds;

    @Override
    public Integer call() throws Exception {
      Checks.range("--expiry-seconds", expirySeconds, 1, 31_536_000);
      Checks.range("--share-expiry-seconds", shareExpirySeconds, 1, 31_536_000);
      Checks.range("--partitions", partitions, 1, 256);
      Checks.range("--parallelism", parallelism, 1, 64);
      Checks.range("--ui-port", uiPort, 1024, 65535);
      CountDownLatch stopped = new CountDownLatch(1);
      try (LocalStack stack = LocalStack.start(dataDir, keepData, partitions, parallelism, uiPort, Duration.ofSeconds(1),
          Duration.ofSeconds(expirySeconds), Duration.ofSeconds(shareExpirySeconds), System.out)) {
        System.out.println();
        System.out.println("The stack is up. In another terminal:");
        System.out.println("  ./redpacket pool create --bootstrap " + stack.bootstrap() + " --id wave-1 --total-cents 100000000 --count 100000");
        System.out.println("  ./redpacket simulate    --bootstrap " + stack.bootstrap() + " --pool wave-1 --shakes 200000");
        System.out.println("  ./redpacket audit       --bootstrap " + stack.bootstrap());
        System.out.println("Ctrl-C stops Kafka and Flink" + (keepData ? " and keeps the data in " + dataDir : " and deletes their data") + ".");
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        while (stack.flink.running()) {
          if (stopped.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
            break;
          }
        }
        if (!stack.flink.running()) {
          System.err.println("a job stopped; see the Flink web UI log or " + dataDir);
          return 1;
        }
      }
      return 0;
    }
  }
}
