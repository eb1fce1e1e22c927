package io.redpacket.jobs.settlement;

import static io.redpacket.jobs.common.RunComparison.differences;
import static io.redpacket.jobs.common.RunComparison.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.SettlementAudit;
import io.redpacket.jobs.common.FailOnceAfterCheckpoint;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RunComparison;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.OpenPlan;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The settlement job on Flink MiniClusters against the real broker, RocksDB state and the
 * exactly-once Kafka sinks: a task killed once after a checkpoint leaves exactly the ledger,
 * wallets and answers of a run without failure, to the cent.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SettlementJobIntegrationTest {
  static final Duration TIMEOUT = Duration.ofMinutes(3);
  /**
   * Far beyond the test's length, so that no grant expires by the clock: a quiet partition's watermark
   * follows the clock (less 10 s), and a refund that overtook an open still to be read would make the
   * runs differ by the machine's speed. The test moves the opens' event time past the expiry itself
   * ({@link RunComparison#moveEventTimePast}) once both runs answered every open. Under the sinks' 15 minutes ahead
   * of the clock, so the refunds keep their stamps.
   */
  static final Duration EXPIRY = Duration.ofMinutes(10);
  static final Duration OPEN_GRACE = Duration.ofSeconds(30);
  /**
   * Opens on the log before their grants wait for them; the grants' reader may start seconds after the
   * opens' on a busy machine. The two opens of grants that never come wait this long for their answer.
   */
  static final Duration OPEN_WAIT = Duration.ofSeconds(15);

  final String bootstrap = SharedKafka.bootstrap();
  final String prefix = "s" + UUID.randomUUID().toString().substring(0, 8) + "-";

  @AfterEach
  void dropTopics() {
    RunComparison.dropTopics(bootstrap, prefix);
  }

  @Test
  void aTaskFailingOnceAfterACheckpointLeavesExactlyTheLedgerAndWalletsOfACalmRun() throws Exception {
    TopicAdmin.ensure(bootstrap, List.of(Topics.named(prefix, Topics.GRANTS), Topics.named(prefix, Topics.OPENS),
        Topics.named(prefix, Topics.SHARE_GRANTS)), List.of(), 4);
    long now = System.currentTimeMillis();
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      String pool = i % 3 == 0 ? "pool-b" : "pool-a";
      grants.add(new Grant(pool + "/" + (i % 7) + "/" + i, "s" + i, "u" + (i % 1_700), pool, i % 7, 1L + (i * 37L) % 5_000,
          (long) i, now, pool.equals("pool-a") ? "acme" : "globex", 0L, 0));
    }
    List<OpenPlan.Action> plan = OpenPlan.plan(grants, OpenPlan.Mix.standard(0), 11);
    long foreign = plan.stream().filter(a -> a.kind() == OpenPlan.Kind.FOREIGN).count();
    long secondTaps = plan.stream().filter(a -> a.kind() == OpenPlan.Kind.SECOND_TAP).count();
    long owners = plan.stream().filter(a -> a.kind() == OpenPlan.Kind.OWNER).count();
    try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      String opens = Topics.named(prefix, Topics.OPENS);
      // Some opens are on the log before their grants, and two for a grant that never comes.
      for (int i = 0; i < 200; i++) {
        p.send(Records.open(opens, plan.get(i).open(now)));
      }
      p.send(Records.open(opens, new Open("lost-1", "pool-a/0/999999", "u1", now)));
      p.send(Records.open(opens, new Open("lost-2", "pool-a/0/999998", "u2", now)));
      for (Grant g : grants) {
        p.send(new ProducerRecord<>(Topics.named(prefix, Topics.GRANTS), null, g.getTimestamp(),
            g.getGrantId().getBytes(StandardCharsets.UTF_8), Codecs.GRANT.encode(g)));
      }
      for (int i = 200; i < plan.size(); i++) {
        p.send(Records.open(opens, plan.get(i).open(now)));
      }
      // Garbage and an invalid open: dead letters, and the job carries on.
      p.send(new ProducerRecord<>(opens, "k".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
      p.send(Records.open(opens, new Open("", "pool-a/0/1", "u1", now)));
      p.send(new ProducerRecord<>(Topics.named(prefix, Topics.GRANTS), null, "{}".getBytes(StandardCharsets.UTF_8)));
      p.flush();
    }
    long opensOnLog = plan.size() + 2;
    long unopened = grants.size() - owners;
    long expectedEntries = grants.size() + owners + unopened; // a reserve each, then a credit or a refund

    String calm = outputs("calm");
    String failing = outputs("failing");
    FailOnceAfterCheckpoint.reset(300);
    // Both runs at once, on MiniClusters of their own.
    JobClient calmJob = start(calm, UnaryOperator.identity());
    // Opens slowed to 2 ms each until the failure, so the run is still reading opens after its first checkpoint.
    // (20 ms each until the first checkpoint, so that a late one still leaves 300 to fail on.)
    JobClient failingJob = start(failing, s -> s.map(new FailOnceAfterCheckpoint<Open>(20_000_000, 2_000_000))
        .name("fail-once").uid("fail-once"));
    try {
      for (String run : List.of(calm, failing)) {
        RunComparison.awaitCommitted(bootstrap, Topics.named(run, Topics.OPEN_RESULTS), opensOnLog, TIMEOUT, calmJob,
            failingJob);
      }
      // Every open is answered in both runs: now, and only now, the unopened grants may expire.
      // (Each record is an open without an id: a dead letter.)
      RunComparison.moveEventTimePast(bootstrap, Topics.named(prefix, Topics.OPENS),
          now + EXPIRY.toMillis() + OPEN_GRACE.toMillis(), Codecs.OPEN.encode(new Open("", "time", "time", 0L)));
      for (String run : List.of(calm, failing)) {
        RunComparison.awaitCommitted(bootstrap, Topics.named(run, Topics.LEDGER), expectedEntries, TIMEOUT, calmJob,
            failingJob);
      }
    } finally {
      calmJob.cancel().get(1, TimeUnit.MINUTES);
      failingJob.cancel().get(1, TimeUnit.MINUTES);
    }
    assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("the failure was injected after a checkpoint").isTrue();

    assertThat(differences(records(bootstrap, failing, Topics.LEDGER, r -> Codecs.LEDGER.decode(r).getEntryId()),
        records(bootstrap, calm, Topics.LEDGER, r -> Codecs.LEDGER.decode(r).getEntryId())))
        .as("ledger entries that differ, byte for byte, after a failure").isEmpty();
    assertThat(differences(latestWallets(failing), latestWallets(calm))).as("wallets that differ after a failure").isEmpty();
    assertThat(differences(records(bootstrap, failing, Topics.OPEN_RESULTS, r -> Codecs.OPEN_RESULT.decode(r).getOpenId()),
        records(bootstrap, calm, Topics.OPEN_RESULTS, r -> Codecs.OPEN_RESULT.decode(r).getOpenId())))
        .as("open answers that differ after a failure").isEmpty();
    assertThat(TopicReader.forEach(bootstrap, Topics.named(failing, Topics.LEDGER), true, r -> {}))
        .as("no entry twice").isEqualTo(expectedEntries);

    SettlementAudit.Report report = AuditRunner.settlement(bootstrap, prefix, failing);
    assertThat(report.clean()).as(report.render()).isTrue();
    long grantedCents = grants.stream().mapToLong(Grant::getCents).sum();
    long settled = report.pools().values().stream().mapToLong(r -> r.creditedCents + r.refundedCents).sum();
    assertThat(settled).as("every cent granted is credited or refunded").isEqualTo(grantedCents);
    var answers = new java.util.EnumMap<OpenCode, Long>(OpenCode.class);
    report.pools().values().forEach(r -> r.answers.forEach((k, v) -> answers.merge(k, v, Long::sum)));
    assertThat(answers.get(OpenCode.NOT_OWNER)).as("every foreign open refused").isEqualTo(foreign);
    assertThat(answers.get(OpenCode.ALREADY_OPENED)).as("second taps change nothing").isEqualTo(secondTaps);
    assertThat(answers.get(OpenCode.OPENED)).isEqualTo(owners);
    assertThat(answers.get(OpenCode.UNKNOWN_GRANT)).isEqualTo(2);

    List<LedgerEntry> refunds = TopicReader.readAll(bootstrap, Topics.named(failing, Topics.LEDGER), true).stream()
        .map(r -> Codecs.LEDGER.decode(r.value())).filter(e -> e.getKind() == EntryKind.REFUND).toList();
    assertThat(refunds).hasSize((int) unopened).allSatisfy(e -> assertThat(e.getCreditAccount()).startsWith("sponsor:"));

    List<DeadLetter> dead = TopicReader.readAll(bootstrap, Topics.named(failing, Topics.DEAD_LETTERS), false).stream()
        .map(r -> Codecs.DEAD_LETTER.decode(r.value())).toList();
    assertThat(dead).extracting(DeadLetter::getSourceTopic)
        .contains(Topics.named(prefix, Topics.OPENS), Topics.named(prefix, Topics.GRANTS));
    assertThat(dead).anySatisfy(d -> assertThat(d.getError()).contains("openId must be"));
  }

  String outputs(String run) {
    return RunComparison.runTopics(bootstrap, prefix, run,
        List.of(Topics.LEDGER, Topics.WALLETS, Topics.GRANT_STATES, Topics.OPEN_RESULTS, Topics.DEAD_LETTERS),
        List.of(Topics.WALLETS, Topics.GRANT_STATES));
  }

  JobClient start(String outputPrefix, UnaryOperator<DataStream<Open>> beforeSettlement) throws Exception {
    StreamExecutionEnvironment env = FailOnceAfterCheckpoint.miniCluster(outputPrefix, 2, "128m");
    SettlementJob.define(env,
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.GRANTS), outputPrefix + "grants", false),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.OPENS), outputPrefix + "opens", false),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.SHARE_GRANTS), outputPrefix + "share-grants", false),
        SettlementJob.kafkaSinks(bootstrap, outputPrefix, "test-settlement"),
        new SettlementSettings(EXPIRY, OPEN_WAIT, Duration.ofHours(1), OPEN_GRACE), beforeSettlement);
    return env.executeAsync("settlement " + outputPrefix);
  }

  Map<String, Long> latestWallets(String run) {
    Map<String, Long> out = new TreeMap<>();
    TopicReader.forEach(bootstrap, Topics.named(run, Topics.WALLETS), true, r -> {
      var w = Codecs.WALLET.decode(r.value());
      out.put(w.getUserId(), w.getBalanceCents());
    });
    return out;
  }
}
