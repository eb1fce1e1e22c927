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
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.common.JobMain;
import io.redpacket.jobs.common.KafkaArgs;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RawRecord;
import io.redpacket.jobs.common.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
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
 * shakes -> decode-shakes -> keyBy(pool/set) ---------+-> allocate -> outcomes, grants, pool-status
 *           (undecodable records of either -> dead-letters)
 * </pre>
 */
public final class AllocationJob {
  public static final String NAME = "redpacket-allocation";
  /** Fixed so savepoints can be resumed at any parallelism up to it. */
  public static final int MAX_PARALLELISM = 128;
  /** A shakes partition quiet this long no longer holds back the job's event time. */
  static final Duration SHAKES_IDLE_AFTER = Duration.ofSeconds(30);

  private AllocationJob() {}

  /** Where the job writes; tests pass their own. */
  public record Sinks(Sink<Grant> grants, Sink<ShakeOutcome> outcomes, Sink<PoolStatus> poolStatus,
      Sink<DeadLetter> deadLetters) {}

  /** The topology; sources and sinks come from the caller. {@code beforeAllocation} lets tests inject faults. */
  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> poolSource,
      Source<RawRecord, ?, ?> shakeSource, Sinks sinks, AllocationSettings settings,
      UnaryOperator<DataStream<Shake>> beforeAllocation) {
    Topology topology = new Topology(env, "allocation");
    SingleOutputStreamOperator<PoolDefinition> pools =
        topology.decodedInOneTask(poolSource, Topology.noEventTime(), "pools", Codecs.POOL, PoolRules::validate);
    BroadcastStream<PoolDefinition> poolBroadcast = pools.broadcast(AllocateFunction.POOLS);
    // Event time is the shake records' Kafka time stamps, with watermarks per Kafka partition made by the
    // source; a shake's own time stamp is checked against its record's before the allocator sees it.
    // A user waits on each shake's outcome: the shakes' edge to allocate is flushed promptly (Topology.awaited).
    SingleOutputStreamOperator<Shake> decoded = Topology.awaited(topology.decoded(shakeSource, "shakes", Codecs.SHAKE,
        ShakeRules::validate, Shake::getTimestamp, Topology.kafkaTime(Duration.ofSeconds(5), SHAKES_IDLE_AFTER)));
    DataStream<Shake> shakes = beforeAllocation.apply(decoded);

    SingleOutputStreamOperator<ShakeOutcome> outcomes = shakes
        .keyBy(s -> Keys.set(s.getPoolId(), s.getSetId()), TypeInformation.of(String.class))
        .connect(poolBroadcast)
        .process(new AllocateFunction(settings), TypeInformation.of(ShakeOutcome.class))
        .name("allocate").uid("allocate");

    Topology.write(outcomes, sinks.outcomes(), "outcomes");
    Topology.write(outcomes.getSideOutput(AllocateFunction.GRANTS), sinks.grants(), "grants");
    Topology.write(outcomes.getSideOutput(AllocateFunction.STATUS), sinks.poolStatus(), "pool-status");
    topology.writeDeadLetters(sinks.deadLetters(), outcomes);
  }


  /** The real Kafka sinks, with transactional id prefixes unique to this job and topic prefix. */
  public static Sinks kafkaSinks(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    String tx = transactionalIdPrefix + "-" + (topicPrefix.isEmpty() ? "" : topicPrefix);
    return new Sinks(
        KafkaIo.sink(bootstrap, Topics.named(topicPrefix, Topics.GRANTS), Codecs.GRANT, Grant::getGrantId,
            DeliveryGuarantee.EXACTLY_ONCE, tx + "grants"),
        // The ingest reads outcomes uncommitted (allocation replays byte for byte) and a user waits on each.
        KafkaIo.promptExactlyOnce(bootstrap, Topics.named(topicPrefix, Topics.SHAKE_OUTCOMES), Codecs.OUTCOME,
            ShakeOutcome::getShakeId, tx + "outcomes"),
        // Status is a latest-value-per-key topic: a replayed older value is overwritten by the replay itself.
        KafkaIo.sink(bootstrap, Topics.named(topicPrefix, Topics.POOL_STATUS), Codecs.POOL_STATUS,
            s -> Keys.set(s.getPoolId(), s.getSetId()), DeliveryGuarantee.AT_LEAST_ONCE, null),
        KafkaIo.deadLetters(bootstrap, topicPrefix));
  }

  public static final Map<String, String> FLAGS = JobMain.flags(NAME,
      "retention-minutes", "keep a pool's per-user state this long after its window (default: 60)",
      "unknown-pool-wait-seconds", "how long shakes wait for their pool's definition (default: 30)");

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, AllocationJob::settings, AllocationJob::build);
  }

  static AllocationSettings settings(JobArgs args) {
    return new AllocationSettings(Duration.ofMinutes(args.positiveLong("retention-minutes", 60, 525_600)),
        Duration.ofSeconds(args.positiveLong("unknown-pool-wait-seconds", 30, 86_400)));
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    KafkaArgs kafka = KafkaArgs.of(args, NAME);
    define(env, kafka.source(Topics.POOLS, "-pools"), kafka.source(Topics.SHAKES, ""),
        kafkaSinks(kafka.bootstrap(), kafka.topicPrefix(), kafka.transactionalIdPrefix()), settings(args),
        UnaryOperator.identity());
  }
}
