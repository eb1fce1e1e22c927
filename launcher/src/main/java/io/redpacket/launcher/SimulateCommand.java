package io.redpacket.launcher;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.codec.Topics;
import io.redpacket.simulator.HttpWave;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.simulator.ShakeProducer;
import io.redpacket.simulator.WavePlan;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Produce a wave of shakes straight to Kafka: many users, skewed, with retried shakeIds.")
final class SimulateCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Option(names = "--pool", required = true, description = "the pool to shake")
  String poolId;

  @Option(names = "--shakes", defaultValue = "200000", description = "how many shakes (default: ${DEFAULT-VALUE})")
  long shakes;

  @Option(names = "--users", defaultValue = "50000", description = "distinct users (default: ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--rate", defaultValue = "0", description = "shakes per second, 0 for as fast as Kafka takes them (default: ${DEFAULT-VALUE})")
  long rate;

  @Option(names = "--max-duration", defaultValue = "PT5M", description = "stop after this long, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration maxDuration;

  @Option(names = "--seed", defaultValue = "2015", description = "random seed of the wave (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--http", description = "shake through the ingest at this URL (e.g. http://127.0.0.1:8080) as virtual users"
      + " with tokens signed by REDPACKET_TOKEN_SECRET, instead of writing to Kafka")
  String http;

  @Option(names = "--concurrency", defaultValue = "128", description = "with --http: shakes in flight at once (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Override
  public Integer call() {
    Checks.range("--shakes", shakes, 1, 1_000_000_000L);
    Checks.range("--users", users, 1, 1_000_000_000L);
    Checks.range("--rate", rate, 0, 10_000_000L);
    PoolDefinition pool = PoolWriter.readPools(stack.bootstrap, Topics.named(stack.topicPrefix, Topics.POOLS)).get(poolId);
    if (pool == null) {
      System.err.println("simulate: no pool '" + poolId + "' on " + stack.bootstrap + "; create it first with ./redpacket pool create");
      return 2;
    }
    if (http != null) {
      Checks.range("--concurrency", concurrency, 1, 100_000);
      HttpWave wave = new HttpWave(http, IngestCommand.secret(), concurrency, Duration.ofSeconds(10));
      try {
        HttpWave.Result r = wave.run(WavePlan.standard(pool, users, seed), shakes, concurrency,
            x -> System.out.printf("  %,d shakes sent, %,d answered%n", x.sent.get(), x.answered()));
        System.out.printf("sent %,d shakes over HTTP in %.1f s%n", r.sent.get(), r.elapsed.toMillis() / 1000.0);
        System.out.print(r.render());
        return r.timedOut.get() == 0 && r.gaveUp.get() == 0 ? 0 : 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      } finally {
        wave.close();
      }
    }
    ShakeProducer.Result r = ShakeProducer.run(stack.bootstrap, Topics.named(stack.topicPrefix, Topics.SHAKES), pool,
        WavePlan.standard(pool, users, seed), shakes, rate, maxDuration,
        acked -> System.out.printf("  %,d shakes acknowledged by Kafka%n", acked));
    System.out.printf("sent %,d shakes (%,d acknowledged, %,d failed) in %.1f s: %,.0f/s%n", r.sent(), r.acked(),
        r.failed(), r.elapsed().toMillis() / 1000.0, r.perSecond());
    return r.failed() == 0 ? 0 : 1;
  }
}
