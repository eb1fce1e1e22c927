package io.redpacket.launcher;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.PoolWriter;
import io.redpacket.simulator.ShakeProducer;
import io.redpacket.simulator.WavePlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the local stack, create a pool, run a wave of shakes with live progress, audit it, stop."
        + " Exits 0 only if every invariant holds.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--shakes", defaultValue = "2000000", description = "shakes in the wave (default: ${DEFAULT-VALUE})")
  long shakes;

  @Option(names = "--users", defaultValue = "500000", description = "distinct users (default: ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--packets", defaultValue = "100000", description = "packets in the pool (default: ${DEFAULT-VALUE})")
  int packets;

  @Option(names = "--budget-cents", defaultValue = "100000000", description = "the pool's budget in cents (default: ${DEFAULT-VALUE}, i.e. 1,000,000.00)")
  long budgetCents;

  @Option(names = "--sets", defaultValue = "50", description = "sets of the pool (default: ${DEFAULT-VALUE})")
  int sets;

  @Option(names = "--rate", defaultValue = "40000", description = "target shakes per second, 0 for unthrottled (default: ${DEFAULT-VALUE})")
  long rate;

  @Option(names = "--pacing", description = "release each set's packets evenly over a 60 s window")
  boolean pacing;

  @Option(names = "--partitions", defaultValue = "8", description = "partitions per topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of the job (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--ui-port", defaultValue = "8081", description = "Flink web UI port (default: ${DEFAULT-VALUE})")
  int uiPort;

  @Option(names = "--data-dir", defaultValue = ".redpacket/demo", description = "where Kafka and Flink keep data; deleted afterwards unless --keep (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--keep", description = "after the audit, keep the stack running (and its data) until Ctrl-C")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    Checks.range("--shakes", shakes, 1, 1_000_000_000L);
    Checks.range("--users", users, 1, 1_000_000_000L);
    Checks.range("--rate", rate, 0, 10_000_000L);
    Checks.range("--partitions", partitions, 1, 256);
    Checks.range("--parallelism", parallelism, 1, 64);
    long t0 = System.nanoTime();
    try (LocalStack stack = LocalStack.start(dataDir, keep, partitions, parallelism, uiPort, Duration.ofSeconds(1), System.out)) {
      long now = System.currentTimeMillis();
      PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("new-year-eve-" + (now / 1000) % 100000)
          .setSponsor("demo-sponsor").setTotalCents(budgetCents).setTotalCount(packets).setSets(sets)
          .setMinCents(1).setMaxCents(PoolCommand.defaultMax(budgetCents, packets, 1))
          .setStartMillis(now).setEndMillis(now + (pacing ? 60_000 : 3_600_000)).setSplitMode(SplitMode.LUCKY)
          .setPerUserLimit(1).setPacing(pacing).setCreatedMillis(now).build();
      try {
        PoolWriter.create(stack.bootstrap(), Topics.POOLS, pool);
      } catch (PoolWriter.RefusedException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      System.out.print(PoolCommand.describe(pool));
      System.out.printf("wave: %,d shakes from %,d users at %s%n", shakes, users, rate == 0 ? "full speed" : String.format("%,d/s", rate));

      AtomicLong acked = new AtomicLong();
      ShakeProducer.Result sent;
      try (Progress progress = new Progress(stack.bootstrap(), "", pool, acked::get, System.out)) {
        sent = ShakeProducer.run(stack.bootstrap(), Topics.SHAKES, pool, WavePlan.standard(pool, users, 2015),
            shakes, rate, Duration.ofMinutes(10), acked::set);
        System.out.printf("wave sent: %,d shakes acknowledged by Kafka in %.1f s (%,.0f/s); waiting for every outcome to be committed...%n",
            sent.acked(), sent.elapsed().toMillis() / 1000.0, sent.perSecond());
        if (!progress.awaitOutcomes(sent.acked(), Duration.ofMinutes(3))) {
          System.err.printf("only %,d of %,d outcomes were committed within 3 minutes: is the job running? see %s%n",
              progress.committedOutcomes(), sent.acked(), stack.flink.webUi());
          return 1;
        }
      }
      System.out.printf("all %,d outcomes committed, %.1f s after start; auditing (read_committed) ...%n",
          sent.acked(), (System.nanoTime() - t0) / 1e9);
      Audit.Report report = AuditRunner.run(stack.bootstrap(), "");
      System.out.print(report.render());
      System.out.printf("demo took %.1f s%n", (System.nanoTime() - t0) / 1e9);
      if (keep) {
        System.out.println("--keep: the stack stays up. Kafka " + stack.bootstrap() + ", Flink web UI " + stack.flink.webUi()
            + ". Ctrl-C to stop.");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
      return report.clean() ? 0 : 1;
    }
  }
}
