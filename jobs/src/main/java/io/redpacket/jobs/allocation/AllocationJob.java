package io.redpacket.jobs.allocation;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.PoolDefinition;
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
import io.redpacket.jobs.common.KafkaArgs;
import io.redpacket.jobs.common.Outputs;
import io.redpacket.jobs.common.RawRecord;
import io.redpacket.jobs.common.Route;
import io.redpacket.jobs.common.Routed;
import io.redpacket.jobs.common.Routes;
import io.redpacket.jobs.common.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The allocation job: shakes in, grants and outcomes out, keyed by (pool, set).
 *
 * <pre>
 * pools  -> decode-pools ------------------------------ broadcast --+
 * shakes -> decode-shakes -> keyBy(pool/set) ---------+-> allocate -> allocate-sink: outcomes, grants, pool-status
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

  /** The topology; sources and sinks come from the caller. {@code beforeAllocation} lets tests inject faults. */
  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> poolSource,
      Source<RawRecord, ?, ?> shakeSource, Outputs outputs, AllocationSettings settings,
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

    // One task writes outcomes, grants, pool status and the shakes it refuses, through one producer in one
    // transaction per checkpoint; the ingest reads outcomes uncommitted while a user waits, so it must not linger.
    Routed.process(shakes.keyBy(s -> Keys.set(s.getPoolId(), s.getSetId()), TypeInformation.of(String.class)),
        poolBroadcast, new AllocateFunction(settings), routes(outputs), "allocate", outputs.promptSink("allocate"));
    topology.writeDeadLetters(outputs.deadLetters());
  }

  /**
   * Where {@code allocate}'s outputs go. Outcomes are read uncommitted by the ingest (allocation replays byte for
   * byte); status is a latest-value-per-key topic whose replayed values are the same.
   */
  public static Routes routes(Outputs outputs) {
    return Routes.main(Route.of(outputs.topic(Topics.SHAKE_OUTCOMES), Codecs.OUTCOME, ShakeOutcome::getShakeId))
        .and(AllocateFunction.GRANTS, Route.of(outputs.topic(Topics.GRANTS), Codecs.GRANT, Grant::getGrantId))
        .and(AllocateFunction.STATUS, Route.of(outputs.topic(Topics.POOL_STATUS), Codecs.POOL_STATUS,
            s -> Keys.set(s.getPoolId(), s.getSetId())))
        .and(DecodeFunction.DEAD_LETTERS, Route.of(outputs.topic(Topics.DEAD_LETTERS), Codecs.DEAD_LETTER,
            DeadLetter::getSourceTopic));
  }

  /** The real Kafka sinks, with transactional id prefixes unique to this job, topic prefix and task. */
  public static Outputs kafkaSinks(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    return new Outputs(bootstrap, topicPrefix, transactionalIdPrefix);
  }

  public static final Map<String, String> FLAGS = JobMain.flags(NAME,
      "retention-minutes", "keep a pool's per-user state this long after its window (default: 60)",
      "unknown-pool-wait-seconds", "how long shakes wait for their pool's definition (default: 30)",
      "user-cache", "user records each subtask keeps on the heap in front of RocksDB (default: "
          + AllocationSettings.DEFAULT_USER_CACHE + ")");

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, AllocationJob::settings, AllocationJob::build);
  }

  static AllocationSettings settings(JobArgs args) {
    return new AllocationSettings(Duration.ofMinutes(args.positiveLong("retention-minutes", 60, 525_600)),
        Duration.ofSeconds(args.positiveLong("unknown-pool-wait-seconds", 30, 86_400)),
        (int) args.positiveLong("user-cache", AllocationSettings.DEFAULT_USER_CACHE, 10_000_000));
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    KafkaArgs kafka = KafkaArgs.of(args, NAME);
    define(env, kafka.source(Topics.POOLS, "-pools"), kafka.source(Topics.SHAKES, ""),
        kafkaSinks(kafka.bootstrap(), kafka.topicPrefix(), kafka.transactionalIdPrefix()), settings(args),
        UnaryOperator.identity());
  }
}
