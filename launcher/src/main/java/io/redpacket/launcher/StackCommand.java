package io.redpacket.launcher;

import io.redpacket.cluster.LocalStack;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stack", mixinStandardHelpOptions = true, description = "The local stack.", subcommands = {StackCommand.Up.class})
final class StackCommand {

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Start a Kafka broker, create the topics and run the allocation and settlement jobs; Ctrl-C stops everything.")
  static final class Up implements Callable<Integer> {
    @Mixin
    EmbeddedStackOptions where = new EmbeddedStackOptions(".redpacket/stack");

    @Option(names = "--keep-data", description = "keep the broker's data after stopping, to resume later")
    boolean keepData;

    @Mixin
    PipelineOptions jobs = PipelineOptions.production();

    @Override
    public Integer call() throws Exception {
      where.check();
      jobs.check();
      CountDownLatch stopped = new CountDownLatch(1);
      try (LocalStack stack = LocalStack.start(where.dataDir, keepData, jobs.partitions, jobs.parallelism, where.uiPort,
          Duration.ofSeconds(1), jobs.expiry(), jobs.shareExpiry(), System.out)) {
        System.out.println();
        System.out.println("The stack is up. In another terminal:");
        System.out.println("  ./redpacket pool create --bootstrap " + stack.bootstrap() + " --id wave-1 --total-cents 100000000 --count 100000");
        System.out.println("  ./redpacket simulate    --bootstrap " + stack.bootstrap() + " --pool wave-1 --shakes 200000");
        System.out.println("  ./redpacket audit       --bootstrap " + stack.bootstrap());
        System.out.println("Ctrl-C stops Kafka and Flink" + (keepData ? " and keeps the data in " + where.dataDir : " and deletes their data") + ".");
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        // Jobs fail independently: each one that ends is reported with why, the others keep running.
        while (stack.flink.watch(System.err)) {
          if (stopped.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
            break;
          }
        }
        if (!stack.flink.running()) {
          System.err.println("every job has stopped; see the Flink web UI log or " + where.dataDir);
          return 1;
        }
      }
      return 0;
    }
  }
}
