package io.redpacket.bench;

import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.Checks;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.SetAllocator;
import io.redpacket.core.ShakeRules;
import io.redpacket.core.Table;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.allocation.AllocationSettings;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.ShakeProducer;
import io.redpacket.simulator.WavePlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "allocation", mixinStandardHelpOptions = true,
    description = "The allocation job (RocksDB, exactly-once) against a pass-through job with the same source and"
        + " sink but no state, on the same broker in one run; prints shakes per second and their ratio.")
public final class AllocationBench implements Callable<Integer> {
  @Option(names = "--shakes", defaultValue = "1000000", description = "shakes per run (default: ${DEFAULT-VALUE})")
  int shakes;

  @Mixin
  BenchSupport.Rounds rounds = new BenchSupport.Rounds(3);

  @Option(names = "--partitions", defaultValue = "8", description = "partitions of the shakes topic (default: ${DEFAULT-VALUE})")
  int partitions;

  record Run(String job, int round, long records, double seconds, double netSeconds) implements BenchSupport.Timed {
    double perSecond() {
      return records / seconds;
    }
  }

  @Override
  public Integer call() throws Exception {
    Checks.range("--shakes", shakes, 1000, 100_000_000);
    rounds.check();
    return BenchSupport.onOwnBroker("", (dir, bootstrap) -> {
      TopicAdmin.ensure(bootstrap, List.of(Topics.POOLS, Topics.SHAKES), List.of(Topics.POOLS), partitions);
      long now = System.currentTimeMillis();
      PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("bench").setSponsor("bench")
          .setTotalCents(100_000_000L).setTotalCount(100_000).setSets(50).setMinCents(1).setMaxCents(20_000)
          .setStartMillis(now).setEndMillis(now + 3_600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1)
          .setPacing(false).setCreatedMillis(now).build();
      PoolWriter.create(bootstrap, Topics.POOLS, pool);
      System.out.printf("writing %,d shakes of 500,000 users to %d partitions ...%n", shakes, partitions);
      ShakeProducer.Result produced = ShakeProducer.run(bootstrap, Topics.SHAKES, pool,
          WavePlan.standard(pool, 500_000, 1), shakes, 0, Duration.ofMinutes(10), n -> {});
      System.out.printf("written in %.1f s (%,.0f/s)%n", produced.elapsed().toMillis() / 1000.0, produced.perSecond());

      List<Run> runs = new ArrayList<>();
      for (int round = 1; round <= rounds.rounds; round++) {
        for (String job : rounds.order(round, "allocation")) {
          String out = job + "-" + round + "-";
          TopicAdmin.ensure(bootstrap, List.of(Topics.named(out, Topics.SHAKE_OUTCOMES), Topics.named(out, Topics.GRANTS),
              Topics.named(out, Topics.POOL_STATUS), Topics.named(out, Topics.DEAD_LETTERS)), List.of(), partitions);
          System.out.printf("round %d: %s ...%n", round, job);
          BenchSupport.OutputClock clock = new BenchSupport.OutputClock(bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES));
          double netSeconds = run(job, bootstrap, out, dir.resolve(out));
          Run run = new Run(job, round, produced.acked(), clock.awaitSeconds(produced.acked()), netSeconds);
          long committed = TopicReader.forEach(bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES), true, r -> {});
          if (committed != produced.acked()) {
            System.err.printf("%s committed %,d outcomes for %,d shakes%n", job, committed, produced.acked());
            return 1;
          }
          System.out.printf("  %,.0f shakes/s%n", run.perSecond());
          runs.add(run);
        }
      }
      Table t = new Table("job", "round", "shakes", "first to last output, s", "shakes/s", "job runtime, s");
      for (Run r : runs) {
        t.row(r.job(), r.round(), String.format("%,d", r.records()), String.format("%.1f", r.seconds()),
            String.format("%,.0f", r.perSecond()), String.format("%.1f", r.netSeconds()));
      }
      double pass = runs.stream().filter(r -> r.job().equals("pass-through")).mapToDouble(Run::perSecond).average().orElse(0);
      double alloc = runs.stream().filter(r -> r.job().equals("allocation")).mapToDouble(Run::perSecond).average().orElse(0);
      System.out.print(t.render());
      List<Double> ratios = new ArrayList<>(BenchSupport.ratios(runs, rounds.rounds, "allocation"));
      ratios.sort(Double::compare);
      double median = ratios.size() % 2 == 1 ? ratios.get(ratios.size() / 2)
          : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
      System.out.printf("allocation / pass-through: means %,.0f / %,.0f shakes/s; per-round ratios %s; median %.2f"
          + " (aim: at least 0.70)%n", alloc, pass,
          BenchSupport.twoDecimals(ratios), median);
      System.out.println("Both jobs: bounded Kafka source over the same topic, decode, keyBy(pool/set), exactly-once Kafka"
          + " sink of one outcome per shake, RocksDB, checkpoints every second, parallelism " + rounds.parallelism
          + "; rates are from the first to the last outcome written (the job's start excluded).");
      return 0;
    });
  }

  private double run(String job, String bootstrap, String out, Path dataDir) throws Exception {
    StreamExecutionEnvironment env = BenchSupport.localEnv(dataDir, rounds.parallelism);
    var shakes = KafkaIo.source(bootstrap, Topics.SHAKES, "bench-" + out, true);
    var pools = KafkaIo.source(bootstrap, Topics.POOLS, "bench-pools-" + out, true);
    var sinks = AllocationJob.kafkaSinks(bootstrap, out, "bench-" + out);
    if (job.equals("allocation")) {
      AllocationJob.define(env, pools, shakes, sinks, AllocationSettings.defaults(), UnaryOperator.identity());
    } else {
      env.getConfig().enableObjectReuse();
      env.fromSource(shakes, org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(), "shakes-source")
          .uid("shakes-source")
          .process(new DecodeFunction<>("bench", Codecs.SHAKE, ShakeRules::validate), TypeInformation.of(Shake.class))
          .name("decode-shakes").uid("decode-shakes")
          .keyBy(s -> Keys.set(s.getPoolId(), s.getSetId()), TypeInformation.of(String.class))
          .process(new PassThrough(), TypeInformation.of(ShakeOutcome.class)).name("pass-through").uid("pass-through")
          .sinkTo(KafkaIo.sink(bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES), Codecs.OUTCOME,
              ShakeOutcome::getShakeId, DeliveryGuarantee.EXACTLY_ONCE, "bench-pass-" + out))
          .name("outcomes-sink").uid("outcomes-sink");
    }
    return env.execute("bench " + job).getNetRuntime() / 1000.0;
  }

  /** The baseline: same shape as allocation, no state, one outcome per shake. */
  static final class PassThrough extends KeyedProcessFunction<String, Shake, ShakeOutcome> {
    @Override
    public void processElement(Shake s, Context ctx, Collector<ShakeOutcome> out) {
      out.collect(SetAllocator.refused(s, OutcomeCode.NOT_LUCKY, null));
    }
  }
}
