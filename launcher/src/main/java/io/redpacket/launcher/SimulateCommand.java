package io.redpacket.launcher;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.codec.Topics;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.simulator.HttpWave;
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

  @Mixin
  WaveOptions wave = new WaveOptions(50_000, 0, 128);

  @Option(names = "--max-duration", defaultValue = "PT5M", description = "stop after this long, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration maxDuration;

  @Option(names = "--seed", defaultValue = "2015", description = "random seed of the wave (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--http", description = "shake through the ingest at this URL (e.g. http://127.0.0.1:8080) as virtual users"
      + " with tokens signed by REDPACKET_TOKEN_SECRET, instead of writing to Kafka")
  String http;

  @Override
  public Integer call() {
    wave.check();
    PoolDefinition pool = PoolWriter.readPools(stack.bootstrap, Topics.named(stack.topicPrefix, Topics.POOLS)).get(poolId);
    if (pool == null) {
      System.err.println("simulate: no pool '" + poolId + "' on " + stack.bootstrap + "; create it first with ./redpacket pool create");
      return 2;
    }
    if (http != null) {
      HttpWave clients = new HttpWave(http, IngestCommand.secret(), wave.concurrency, Duration.ofSeconds(10));
      try {
        HttpWave.Result r = clients.run(WavePlan.standard(pool, wave.users, seed), wave.shakes, wave.concurrency,
            x -> System.out.printf("  %,d shakes made, %,d answered by client policy, %,d sent, %,d answered;"
                + " client policy level %d%n", x.gestures.get(), x.answeredByClient(), x.sent.get(), x.answered(),
                x.policyLevel));
        System.out.printf("sent %,d shakes over HTTP in %.1f s%n", r.sent.get(), r.elapsed.toMillis() / 1000.0);
        System.out.print(r.render());
        System.out.println("offered load per second:");
        System.out.print(PolicyDrill.table(r));
        return r.timedOut.get() == 0 && r.gaveUp.get() == 0 ? 0 : 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      } finally {
        clients.close();
      }
    }
    ShakeProducer.Result r = ShakeProducer.run(stack.bootstrap, Topics.named(stack.topicPrefix, Topics.SHAKES), pool,
        WavePlan.standard(pool, wave.users, seed), wave.shakes, wave.rate, maxDuration,
        acked -> System.out.printf("  %,d shakes acknowledged by Kafka%n", acked));
    System.out.printf("sent %,d shakes (%,d acknowledged, %,d failed) in %.1f s: %,.0f/s%n", r.sent(), r.acked(),
        r.failed(), r.elapsed().toMillis() / 1000.0, r.perSecond());
    return r.failed() == 0 ? 0 : 1;
  }
}
