package io.redpacket.bench;

import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.Checks;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.PoolRules;
import io.redpacket.core.SetAllocator;
import io.redpacket.core.ShakeRules;
import io.redpacket.jobs.allocation.AllocateFunction;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.allocation.AllocationSettings;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.Routed;
import io.redpacket.jobs.common.Topology;
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
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "allocation", mixinStandardHelpOptions = true,
    description = "The allocation job (RocksDB, exactly-once) against a pass-through job with the same source and"
        + " sinks but no state, on the same broker in one run; prints shakes per second and their ratio.")
public final class AllocationBench implements Callable<Integer> {
  @Option(names = "--shakes", defaultValue = "6000000", description = "shakes per run; at least 10 s of"
      + " the faster job's output each (default: ${DEFAULT-VALUE})")
  int shakes;

  @Mixin
  BenchSupport.Rounds rounds = new BenchSupport.Rounds(3);

  @Option(names = "--partitions", defaultValue = "8", description = "partitions of the shakes topic (default: ${DEFAULT-VALUE})")
  int partitions;

  /** The pool's packets, over its sets; a set's status is published every hundredth of its packets. */
  static final int PACKETS = 100_000;
  static final int SETS = 50;

  @Override
  public Integer call() throws Exception {
    Checks.range("--shakes", shakes, 1000, 100_000_000);
    rounds.check();
    return BenchSupport.onOwnBroker("", (dir, bootstrap) -> {
      TopicAdmin.ensure(bootstrap, List.of(Topics.POOLS, Topics.SHAKES), List.of(Topics.POOLS), partitions);
      long now = System.currentTimeMillis();
      PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("bench").setSponsor("bench")
          .setTotalCents(100_000_000L).setTotalCount(PACKETS).setSets(SETS).setMinCents(1).setMaxCents(20_000)
          .setStartMillis(now).setEndMillis(now + 3_600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1)
          .setPacing(false).setCreatedMillis(now).build();
      PoolWriter.create(bootstrap, Topics.POOLS, pool);
      System.out.printf("writing %,d shakes of 500,000 users to %d partitions ...%n", shakes, partitions);
      ShakeProducer.Result produced = ShakeProducer.run(bootstrap, Topics.SHAKES, pool,
          WavePlan.standard(pool, 500_000, 1), shakes, 0, Duration.ofMinutes(10), n -> {});
      System.out.printf("written in %.1f s (%,.0f/s)%n", produced.elapsed().toMillis() / 1000.0, produced.perSecond());

      List<BenchSupport.Run> runs = new ArrayList<>();
      for (int round : rounds.all()) {
        for (String job : rounds.order(round, "allocation")) {
          String out = job + "-" + (round < 1 ? "w" + (1 - round) : String.valueOf(round)) + "-";
          List<String> topics = List.of(Topics.named(out, Topics.SHAKE_OUTCOMES), Topics.named(out, Topics.GRANTS),
              Topics.named(out, Topics.POOL_STATUS), Topics.named(out, Topics.DEAD_LETTERS));
          TopicAdmin.ensure(bootstrap, topics, List.of(), partitions);
          System.out.printf("%s: %s ...%n", round < 1 ? "warm-up" : "round " + round, job);
          BenchSupport.OutputClock clock =
              new BenchSupport.OutputClock(bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES), produced.acked());
          ThreadCpu cpu = BenchSupport.cpu();
          run(job, bootstrap, out, dir.resolve(out), produced.acked());
          cpu.stop();
          double seconds = clock.awaitSeconds(produced.acked());
          var used = cpu.between(clock.firstNanos(), clock.lastNanos());
          long committed = TopicReader.forEach(bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES), true, r -> {});
          if (committed != produced.acked()) {
            System.err.printf("%s committed %,d outcomes for %,d shakes%n", job, committed, produced.acked());
            return 1;
          }
          long grants = TopicReader.forEach(bootstrap, Topics.named(out, Topics.GRANTS), true, r -> {});
          long status = TopicReader.forEach(bootstrap, Topics.named(out, Topics.POOL_STATUS), false, r -> {});
          BenchSupport.Run run = new BenchSupport.Run(job, round, produced.acked(), seconds,
              String.format("%,d outcomes, %,d grants, %,d statuses", committed, grants, status), used);
          System.out.printf("  %,.0f shakes/s (%s)%n", run.perSecond(), run.outputs());
          runs.add(run);
        }
      }
      System.out.println("Both jobs: bounded Kafka sources (shakes; pools, broadcast), decode, event time,"
          + " keyBy(pool/set), the same two sinks (outcomes, grants and pool status through one exactly-once sink,"
          + " dead letters at-least-once) with about as many records each; RocksDB, checkpoints every second, parallelism "
          + rounds.parallelism + "; rates are from the first to the last outcome written (the job's start excluded).");
      BenchSupport.report("allocation", "shakes", runs, rounds);
      return 0;
    });
  }

  private void run(String job, String bootstrap, String out, Path dataDir, long inputs) throws Exception {
    StreamExecutionEnvironment env = BenchSupport.localEnv(dataDir, rounds.parallelism);
    var shakes = KafkaIo.source(bootstrap, Topics.SHAKES, "bench-" + out, true);
    var pools = KafkaIo.source(bootstrap, Topics.POOLS, "bench-pools-" + out, true);
    var sinks = AllocationJob.kafkaSinks(bootstrap, out, "bench-" + out);
    if (job.equals("allocation")) {
      AllocationJob.define(env, pools, shakes, sinks, AllocationSettings.defaults(), UnaryOperator.identity());
    } else {
      // The job's shape without its state and rules: the same sources, broadcast, event time, keyBy and sinks.
      Topology topology = new Topology(env, "bench");
      var poolBroadcast = topology.decodedInOneTask(pools, WatermarkStrategy.noWatermarks(), "pools", Codecs.POOL,
          PoolRules::validate).broadcast(AllocateFunction.POOLS);
      var keyed = topology.decoded(shakes, "shakes", Codecs.SHAKE, ShakeRules::validate)
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Shake>forBoundedOutOfOrderness(Duration.ofSeconds(5))
              .withTimestampAssigner((s, previous) -> s.getTimestamp()))
          .name("event-time").uid("event-time")
          .setBufferTimeout(Topology.AWAITED_BUFFER_TIMEOUT_MS) // as the job's shakes edge
          .keyBy(s -> Keys.set(s.getPoolId(), s.getSetId()), TypeInformation.of(String.class));
      Routed.process(keyed, poolBroadcast, new PassThrough(Math.max(1, (int) (inputs / PACKETS))),
          AllocationJob.routes(sinks), "pass-through", sinks.promptSink("pass-through"));
      topology.writeDeadLetters(sinks.deadLetters());
    }
    env.execute("bench " + job);
  }

  /**
   * The baseline: same shape as allocation, no state and no rules: one outcome per shake, and, chosen by a hash
   * of the shake id, as many grants (one shake in {@code grantEvery}) and pool statuses (one grant in 20) as the
   * allocation job writes for this pool.
   */
  static final class PassThrough extends KeyedBroadcastProcessFunction<String, Shake, PoolDefinition, ShakeOutcome> {
    private static final long serialVersionUID = 1L;
    private final int grantEvery;

    PassThrough(int grantEvery) {
      this.grantEvery = grantEvery;
    }

    @Override
    public void processElement(Shake s, ReadOnlyContext ctx, Collector<ShakeOutcome> out) throws Exception {
      PoolDefinition pool = ctx.getBroadcastState(AllocateFunction.POOLS).get(s.getPoolId());
      int h = Math.floorMod(s.getShakeId().hashCode(), grantEvery * 20);
      if (pool != null && h % grantEvery == 0) {
        ctx.output(AllocateFunction.GRANTS, new Grant(s.getPoolId() + "/" + s.getSetId() + "/" + h, s.getShakeId(),
            s.getUserId(), s.getPoolId(), s.getSetId(), 1L + h, (long) h, s.getTimestamp(), pool.getSponsor(), 0L, 0));
        if (h == 0) {
          ctx.output(AllocateFunction.STATUS, new PoolStatus(s.getPoolId(), s.getSetId(), pool.getSets(), 1000L, 1000L,
              1000L, 1000L, false, s.getTimestamp()));
        }
      }
      out.collect(SetAllocator.refused(s, OutcomeCode.NOT_LUCKY, null));
    }

    @Override
    public void processBroadcastElement(PoolDefinition pool, Context ctx, Collector<ShakeOutcome> out) throws Exception {
      ctx.getBroadcastState(AllocateFunction.POOLS).put(pool.getPoolId(), pool);
    }
  }
}
