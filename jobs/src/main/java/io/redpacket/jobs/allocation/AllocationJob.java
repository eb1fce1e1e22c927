package io.redpacket.jobs.allocation;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.PoolRules;
import io.redpacket.core.ShakeRules;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.common.JobMain;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RawRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The allocation job: shakes in, grants and outcomes out, keyed by (pool, set).
 *
 * <pre>
 * pools  -> decode-pools ------------------------------ broadcast --+
 * shakes -> decode-shakes -> event-time -> keyBy(pool/set) ---------+-> allocate -> outcomes, grants, pool-status
 *           (undecodable records of either -> dead-letters)
 * </pre>
 */
public final class AllocationJob {
  public static final String NAME = "redpacket-allocation";
  /** Fixed so savepoints can be resumed at any parallelism up to it. */
  public static final int MAX_PARALLELISM = 128;

  private AllocationJob() {}

  /** Where the job writes; tests pass their own. */
  public record Sinks(Sink<Grant> grants, Sink<ShakeOutcome> outcomes, Sink<PoolStatus> poolStatus,
      Sink<DeadLetter> deadLetters) {}

  /** The topology; sources and sinks come from the caller. {@code beforeAllocation} lets tests inject faults. */
  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> poolSource,
      Source<RawRecord, ?, ?> shakeSource, Sinks sinks, AllocationSettings settings,
      UnaryOperator<DataStream<Shake>> beforeAllocation) {
    env.setMaxParallelism(MAX_PARALLELISM);
    // Records are never held by reference across calls (state is serialized), so reuse is safe and saves copies.
    env.getConfig().enableObjectReuse();

    SingleOutputStreamOperator<PoolDefinition> pools = env
        .fromSource(poolSource, alwaysIdle(), "pools-source").uid("pools-source").setParallelism(1)
        .process(new DecodeFunction<>("allocation", Codecs.POOL, PoolRules::validate),
            TypeInformation.of(PoolDefinition.class))
        .name("decode-pools").uid("decode-pools").setParallelism(1);
    BroadcastStream<PoolDefinition> poolBroadcast = pools.broadcast(AllocateFunction.POOLS);

    SingleOutputStreamOperator<Shake> decoded = env
        .fromSource(shakeSource, WatermarkStrategy.noWatermarks(), "shakes-source").uid("shakes-source")
        .process(new DecodeFunction<>("allocation", Codecs.SHAKE, ShakeRules::validate),
            TypeInformation.of(Shake.class))
        .name("decode-shakes").uid("decode-shakes");
    DataStream<Shake> shakes = beforeAllocation.apply(decoded
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Shake>forBoundedOutOfOrderness(Duration.ofSeconds(5))
            .withTimestampAssigner((s, previous) -> s.getTimestamp()))
        .name("event-time").uid("event-time"));

    SingleOutputStreamOperator<ShakeOutcome> outcomes = shakes
        .keyBy(s -> Keys.set(s.getPoolId(), s.getSetId()), TypeInformation.of(String.class))
        .connect(poolBroadcast)
        .process(new AllocateFunction(settings), TypeInformation.of(ShakeOutcome.class))
        .name("allocate").uid("allocate");

    outcomes.sinkTo(sinks.outcomes()).name("outcomes-sink").uid("outcomes-sink");
    outcomes.getSideOutput(AllocateFunction.GRANTS).sinkTo(sinks.grants()).name("grants-sink").uid("grants-sink");
    outcomes.getSideOutput(AllocateFunction.STATUS).sinkTo(sinks.poolStatus()).name("pool-status-sink").uid("pool-status-sink");
    pools.getSideOutput(DecodeFunction.DEAD_LETTERS)
        .union(decoded.getSideOutput(DecodeFunction.DEAD_LETTERS), outcomes.getSideOutput(DecodeFunction.DEAD_LETTERS))
        .sinkTo(sinks.deadLetters()).name("dead-letters-sink").uid("dead-letters-sink");
  }

  /**
   * Pool definitions carry no event time: the pools input declares itself idle, so only the
   * shakes drive the job's event-time clock.
   */
  static WatermarkStrategy<RawRecord> alwaysIdle() {
    return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<RawRecord>() {
      @Override
      public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {}

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {
        output.markIdle();
      }
    });
  }

  /** The real Kafka sinks, with transactional id prefixes unique to this job and topic prefix. */
  public static Sinks kafkaSinks(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    String tx = transactionalIdPrefix + "-" + (topicPrefix.isEmpty() ? "" : topicPrefix);
    return new Sinks(
        KafkaIo.sink(bootstrap, Topics.named(topicPrefix, Topics.GRANTS), Codecs.GRANT, Grant::getGrantId,
            DeliveryGuarantee.EXACTLY_ONCE, tx + "grants"),
        KafkaIo.sink(bootstrap, Topics.named(topicPrefix, Topics.SHAKE_OUTCOMES), Codecs.OUTCOME, ShakeOutcome::getShakeId,
            DeliveryGuarantee.EXACTLY_ONCE, tx + "outcomes"),
        // Status is a latest-value-per-key topic: a replayed older value is overwritten by the replay itself.
        KafkaIo.sink(bootstrap, Topics.named(topicPrefix, Topics.POOL_STATUS), Codecs.POOL_STATUS,
            s -> Keys.set(s.getPoolId(), s.getSetId()), DeliveryGuarantee.AT_LEAST_ONCE, null),
        KafkaIo.deadLetters(bootstrap, topicPrefix));
  }

  public static final Map<String, String> FLAGS = flags();

  private static Map<String, String> flags() {
    Map<String, String> f = JobMain.commonFlags(NAME);
    f.put("retention-minutes", "keep a pool's per-user state this long after its window (default: 60)");
    f.put("unknown-pool-wait-seconds", "how long shakes wait for their pool's definition (default: 30)");
    return f;
  }

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, AllocationJob::settings, AllocationJob::build);
  }

  static AllocationSettings settings(JobArgs args) {
    return new AllocationSettings(Duration.ofMinutes(args.positiveLong("retention-minutes", 60, 525_600)),
        Duration.ofSeconds(args.positiveLong("unknown-pool-wait-seconds", 30, 86_400)));
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    String bootstrap = args.required("bootstrap");
    String prefix = args.get("topic-prefix", "");
    String group = args.get("group", NAME);
    boolean bounded = args.flag("bounded");
    AllocationSettings settings = settings(args);
    define(env,
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.POOLS), group + "-pools", bounded),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.SHAKES), group, bounded),
        kafkaSinks(bootstrap, prefix, args.get("transactional-id-prefix", NAME)),
        settings, UnaryOperator.identity());
  }
}
