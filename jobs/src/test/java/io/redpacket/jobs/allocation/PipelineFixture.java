package io.redpacket.jobs.allocation;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.ShakeRules;
import io.redpacket.jobs.common.FailOnceAfterCheckpoint;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RunComparison;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.WavePlan;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Topics of one test on the shared broker, the input it writes, and the job runs it starts. */
final class PipelineFixture {
  final String bootstrap = SharedKafka.bootstrap();
  final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
  final List<Shake> shakes = new ArrayList<>();
  PoolDefinition pool;

  PipelineFixture() {
    TopicAdmin.ensure(bootstrap, List.of(Topics.named(prefix, Topics.POOLS), Topics.named(prefix, Topics.SHAKES)),
        List.of(Topics.named(prefix, Topics.POOLS)), 4);
  }

  /** Output topics of one run, under their own prefix, reading this fixture's inputs. */
  String outputs(String run) {
    return RunComparison.runTopics(bootstrap, prefix, run,
        List.of(Topics.GRANTS, Topics.SHAKE_OUTCOMES, Topics.POOL_STATUS, Topics.DEAD_LETTERS),
        List.of(Topics.POOL_STATUS));
  }

  PoolDefinition createPool(int count, long cents, int sets) {
    long now = System.currentTimeMillis();
    pool = PoolDefinition.newBuilder().setPoolId("wave-" + prefix.substring(1, 7)).setSponsor("acme")
        .setTotalCents(cents).setTotalCount(count).setSets(sets).setMinCents(1).setMaxCents(cents)
        .setStartMillis(now - 60_000).setEndMillis(now + 3_600_000).setSplitMode(SplitMode.LUCKY)
        .setPerUserLimit(1).setPacing(false).setCreatedMillis(now).build();
    PoolWriter.create(bootstrap, Topics.named(prefix, Topics.POOLS), pool);
    return pool;
  }

  /** Writes shakes of the skewed mix (with retries), remembering them in log order per key. */
  void produceShakes(int count, int users, long seed) {
    WavePlan plan = WavePlan.standard(pool, users, seed);
    try (CheckedProducer producer = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      for (int i = 0; i < count; i++) {
        Shake s = plan.next();
        shakes.add(s);
        producer.send(Records.shake(Topics.named(prefix, Topics.SHAKES), s));
      }
      producer.flush();
    }
  }

  /** Records that are not shakes: the job must dead-letter them and carry on. */
  void produceGarbage() {
    try (CheckedProducer producer = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      String topic = Topics.named(prefix, Topics.SHAKES);
      producer.send(new ProducerRecord<>(topic, utf8("k"), utf8("{\"shakeId\":\"not avro\"}")));
      producer.send(new ProducerRecord<>(topic, utf8("k"), new byte[] {(byte) 0xC3, 0x01, 1, 2}));
      producer.send(new ProducerRecord<>(topic, utf8("k"), null));
      Shake bad = Shake.newBuilder().setShakeId("").setUserId("u").setPoolId(pool.getPoolId()).setSetId(0)
          .setTimestamp(System.currentTimeMillis()).build();
      producer.send(new ProducerRecord<>(topic, utf8("k"), Codecs.SHAKE.encode(bad)));
      producer.send(new ProducerRecord<>(Topics.named(prefix, Topics.POOLS), utf8("x"), utf8("garbage pool")));
      producer.flush();
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Starts the allocation job over this fixture's inputs, writing under {@code outputPrefix}. */
  JobClient start(String outputPrefix, int parallelism, boolean bounded, String savepoint,
      UnaryOperator<DataStream<Shake>> beforeAllocation) throws Exception {
    // Each run gets a MiniCluster of its own (as `flink run` gets a fresh job on a cluster), sized to it.
    Configuration conf = FailOnceAfterCheckpoint.clusterConfig(outputPrefix, parallelism, "256m");
    if (savepoint != null) {
      conf.setString("execution.state-recovery.path", savepoint);
    }
    conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
    env.setParallelism(parallelism);
    AllocationJob.define(env,
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.POOLS), outputPrefix + "pools", bounded),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.SHAKES), outputPrefix + "shakes", bounded),
        AllocationJob.kafkaSinks(bootstrap, outputPrefix, "test-allocation"),
        new AllocationSettings(Duration.ofMinutes(60), Duration.ofSeconds(30)), beforeAllocation);
    return env.executeAsync("allocation " + outputPrefix);
  }

  /** The committed grants of a run: grant id to the record's bytes, base64. */
  Map<String, String> committedGrants(String outputPrefix) {
    Map<String, String> grants = new TreeMap<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(outputPrefix, Topics.GRANTS), true)) {
      String id = Codecs.GRANT.decode(r.value()).getGrantId();
      String before = grants.put(id, Base64.getEncoder().encodeToString(r.value()));
      if (before != null) {
        grants.put(id + "#DUPLICATE", before);
      }
    }
    return grants;
  }

  /**
   * The committed grants of a run whose job has finished. Its last commit returns before the transaction's markers
   * are written to every partition, so a read right after the job ends can stop short of the last transaction:
   * first wait, bounded, until no transaction is open on the topic (read-committed end offsets equal the others).
   */
  Map<String, String> committedGrantsOfFinished(String outputPrefix) {
    String topic = Topics.named(outputPrefix, Topics.GRANTS);
    try (var admin = TopicAdmin.admin(bootstrap)) {
      io.redpacket.kafka.Await.until("no open transaction on " + topic, Duration.ofMinutes(1), () -> {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
        for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
          latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
              org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        var committed = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
            org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get();
        var written = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
            org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)).all().get();
        return latest.keySet().stream().allMatch(tp -> committed.get(tp).offset() == written.get(tp).offset());
      });
    }
    return committedGrants(outputPrefix);
  }

  long committed(String topic) {
    return TopicReader.forEach(bootstrap, topic, true, r -> {});
  }

  /** Waits, bounded, until a run has committed one outcome per shake sent. */
  void awaitOutcomes(String outputPrefix, long expected, Duration timeout) {
    TopicReader.awaitCommitted(bootstrap, Topics.named(outputPrefix, Topics.SHAKE_OUTCOMES), expected, timeout);
  }

  Audit.Report audit(String outputPrefix) {
    List<ShakeOutcome> outcomes = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(outputPrefix, Topics.SHAKE_OUTCOMES), true,
        r -> outcomes.add(Codecs.OUTCOME.decode(r.value())));
    List<byte[]> grants = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(outputPrefix, Topics.GRANTS), true, r -> grants.add(r.value()));
    List<Shake> valid = shakes.stream().filter(s -> ShakeRules.validate(s).isEmpty()).toList();
    return Audit.run(new Audit.Input(Map.of(pool.getPoolId(), pool), inLogOrder(valid), outcomes, grants));
  }

  /** Shakes in the order the job sees them per key: by partition, then offset. */
  private List<Shake> inLogOrder(List<Shake> valid) {
    List<Shake> ordered = new ArrayList<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHAKES), true)) {
      try {
        Shake s = Codecs.SHAKE.decode(r.value());
        if (ShakeRules.validate(s).isEmpty()) {
          ordered.add(s);
        }
      } catch (RuntimeException garbage) {
        // dead-lettered by the job
      }
    }
    if (ordered.size() != valid.size()) {
      throw new AssertionError("the shakes topic holds " + ordered.size() + " valid shakes, the test sent " + valid.size());
    }
    return ordered;
  }

  void deleteTopics() {
    try (var admin = TopicAdmin.admin(bootstrap)) {
      var names = admin.listTopics().names().get();
      TopicAdmin.delete(bootstrap, names.stream().filter(n -> n.startsWith(prefix)).toList());
    } catch (Exception e) {
      // best effort; the broker is thrown away after the run anyway
    }
  }
}
