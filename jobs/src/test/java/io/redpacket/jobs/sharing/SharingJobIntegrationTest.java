package io.redpacket.jobs.sharing;

import static io.redpacket.jobs.common.RunComparison.differences;
import static io.redpacket.jobs.common.RunComparison.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.Open;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareState;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Settlement;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.Sharing;
import io.redpacket.core.SharingAudit;
import io.redpacket.jobs.common.FailOnceAfterCheckpoint;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RunComparison;
import io.redpacket.jobs.common.WatermarkProbe;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.settlement.SettlementSettings;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.SharePlan;
import io.redpacket.simulator.SocialGraph;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * The sharing job on Flink MiniClusters against the real broker, RocksDB state and exactly-once
 * sinks: a task killed once after a checkpoint leaves exactly the share grants and answers of a
 * calm run; then the settlement job, also killed once, books them, and the ledger, the wallets
 * and every share add up to the cent.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SharingJobIntegrationTest {
  static final Duration TIMEOUT = Duration.ofMinutes(3);
  /**
   * Far beyond the test's length, so that no share expires by the clock. A quiet partition's watermark
   * follows the clock (less 10 s); with a 90 s expiry the refunds raced the last third of the claims,
   * which goes out only after the failing run's first checkpoint, and when that checkpoint was slow the
   * late claims were answered EXPIRED and the moves never all came (a CI run timed out so). The test
   * moves the requests' event time past the expiry itself ({@link RunComparison#moveEventTimePast}) once both runs
   * answered every request. Under the sinks' 15 minutes ahead of the clock: the refunds keep their stamps.
   */
  static final Duration EXPIRY = Duration.ofMinutes(10);
  static final Duration CLAIM_GRACE = Duration.ofSeconds(5);
  /** Longer than the expiry, so that no grant or share is forgotten before its refund. */
  static final Duration RETENTION = Duration.ofHours(1);
  /**
   * Shares that overtook their grant's state, and claims that overtook their share, wait for it; the
   * slowed failing run must not make them give up. The wait is processing time, and timers set before
   * the failure fire at once after a slow restore. With 20 s, one CI run gave a share's four pieces to
   * other friends than the calm run did: most likely a request there gave up waiting.
   */
  static final Duration WAIT = Duration.ofSeconds(60);

  final String bootstrap = SharedKafka.bootstrap();
  final String prefix = "h" + UUID.randomUUID().toString().substring(0, 8) + "-";

  @AfterEach
  void dropTopics() {
    RunComparison.dropTopics(bootstrap, prefix);
  }

  @Test
  void aTaskFailingOnceLeavesExactlyTheShareGrantsOfACalmRunAndTheLedgerAddsUpPerShare() throws Exception {
    TopicAdmin.ensure(bootstrap, List.of(Topics.named(prefix, Topics.GRANTS), Topics.named(prefix, Topics.OPENS),
        Topics.named(prefix, Topics.GRANT_STATES), Topics.named(prefix, Topics.SHARES),
        Topics.named(prefix, Topics.SHARE_CLAIMS)), List.of(), 4);
    long now = System.currentTimeMillis();
    // 1,200 grants: pool-a shares 300 cents in 4 pieces, pool-b 50 cents in 2; every 10th is never opened.
    List<Grant> grants = new ArrayList<>();
    List<Grant> opened = new ArrayList<>();
    java.util.Set<String> openedIds = new java.util.HashSet<>();
    for (int i = 0; i < 1_200; i++) {
      boolean a = i % 3 != 0;
      String pool = a ? "pool-a" : "pool-b";
      Grant g = new Grant(pool + "/" + (i % 5) + "/" + i, "s" + i, "u" + (i % 900), pool, i % 5, 1L + (i * 37L) % 900,
          (long) i, now, a ? "acme" : "globex", a ? 300L : 50L, a ? 4 : 2);
      grants.add(g);
      if (i % 10 != 0) {
        opened.add(g);
        openedIds.add(g.getGrantId());
      }
    }
    List<SharePlan.Action> plan = SharePlan.plan(opened, SharePlan.Mix.standard(0), new SocialGraph(900, 8, 5), 7);
    Map<String, Long> kinds = new TreeMap<>();
    plan.forEach(x -> kinds.merge(x.kind().name(), 1L, Long::sum));
    Expected expected = Expected.of(opened, plan);

    // Some claims are on the log before anything else: they wait for their share.
    List<SharePlan.Action> early = plan.stream().filter(x -> x.action() == ShareAction.CLAIM).limit(100).toList();
    try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      String shares = Topics.named(prefix, Topics.SHARES);
      String claims = Topics.named(prefix, Topics.SHARE_CLAIMS);
      for (SharePlan.Action x : early) {
        p.send(Records.shareRequest(claims, x.request(now)));
      }
      for (Grant g : grants) {
        GrantState s = Settlement.grant(g).state();
        if (openedIds.contains(g.getGrantId())) {
          s = GrantState.newBuilder(s).setState(GrantPhase.CREDITED).setOpenId("o-" + g.getGrantId())
              .setOpenedMillis(now).build();
        }
        p.send(new ProducerRecord<>(Topics.named(prefix, Topics.GRANT_STATES), null, now,
            g.getGrantId().getBytes(StandardCharsets.UTF_8), Codecs.GRANT_STATE.encode(s)));
      }
      for (SharePlan.Action x : plan.subList(0, plan.size() * 2 / 3)) {
        if (!early.contains(x)) {
          p.send(Records.shareRequest(x.action() == ShareAction.SHARE ? shares : claims, x.request(now)));
        }
      }
      // The owner of an unopened grant tries to share it: it waits, then NOT_OPENED.
      p.send(Records.shareRequest(shares, new ShareRequest("early", grants.get(0).getGrantId(), grants.get(0).getUserId(),
          ShareAction.SHARE, now)));
      // Garbage, and a claim on the shares topic: dead letters, and the job carries on.
      p.send(new ProducerRecord<>(claims, "k".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
      p.send(Records.shareRequest(shares, new ShareRequest("wrong", "pool-a/1/1", "u1", ShareAction.CLAIM, now)));
      // Grants and the first half of the opens for the settlement run below: every opened grant, by its owner.
      for (Grant g : opened) {
        p.send(new ProducerRecord<>(Topics.named(prefix, Topics.GRANTS), null, now,
            g.getGrantId().getBytes(StandardCharsets.UTF_8), Codecs.GRANT.encode(g)));
      }
      sendOpens(p, opened.subList(0, opened.size() / 2), now);
      for (int i = 0; i < grants.size(); i += 10) { // the unopened grants, also to be reserved
        Grant g = grants.get(i);
        p.send(new ProducerRecord<>(Topics.named(prefix, Topics.GRANTS), null, now,
            g.getGrantId().getBytes(StandardCharsets.UTF_8), Codecs.GRANT.encode(g)));
      }
      p.flush();
    }
    long requests = plan.size() + 1;

    String calm = outputs("calm");
    String failing = outputs("failing");
    FailOnceAfterCheckpoint.reset(100);
    JobClient calmJob = startSharing(calm, s -> probed(s, calm));
    // Requests slowed to 2 ms each until the failure, so the run is still reading after its first checkpoint.
    JobClient failingJob = startSharing(failing, s -> probed(s.map(new FailOnceAfterCheckpoint<ShareRequest>(2_000_000))
        .name("fail-once").uid("fail-once"), failing));
    try {
      // The last third goes on the log once the failing run completed a checkpoint: records queued ahead of a
      // checkpoint's barrier would all pass before it, and the failure must come after one.
      io.redpacket.kafka.Await.until("a checkpoint of the failing run", TIMEOUT, FailOnceAfterCheckpoint::checkpointed);
      try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
        for (SharePlan.Action x : plan.subList(plan.size() * 2 / 3, plan.size())) {
          if (!early.contains(x)) {
            p.send(Records.shareRequest(Topics.named(prefix, x.action() == ShareAction.SHARE ? Topics.SHARES
                : Topics.SHARE_CLAIMS), x.request(now)));
          }
        }
      }
      for (String run : List.of(calm, failing)) {
        awaitCommitted(run, Topics.SHARE_RESULTS, requests, calm, failing, calmJob, failingJob);
      }
      // Every request is answered in both runs: now, and only now, the shares may expire.
      // (Each record is a request with the other topic's action: a dead letter.)
      long expired = now + EXPIRY.toMillis() + CLAIM_GRACE.toMillis();
      RunComparison.moveEventTimePast(bootstrap, Topics.named(prefix, Topics.SHARES), expired,
          Codecs.SHARE_REQUEST.encode(new ShareRequest("time", "time", "time", ShareAction.CLAIM, 0L)));
      RunComparison.moveEventTimePast(bootstrap, Topics.named(prefix, Topics.SHARE_CLAIMS), expired,
          Codecs.SHARE_REQUEST.encode(new ShareRequest("time", "time", "time", ShareAction.SHARE, 0L)));
      for (String run : List.of(calm, failing)) {
        awaitCommitted(run, Topics.SHARE_GRANTS, expected.moves(), calm, failing, calmJob, failingJob);
      }
    } finally {
      calmJob.cancel().get(1, TimeUnit.MINUTES);
      failingJob.cancel().get(1, TimeUnit.MINUTES);
    }
    assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("the failure was injected after a checkpoint").isTrue();

    assertThat(shareGrantDifferences(calm, failing))
        .as("share grants that differ, byte for byte, after a failure").isEmpty();
    assertThat(answerDifferences(calm, failing))
        .as("answers that differ after a failure").isEmpty();
    assertThat(TopicReader.forEach(bootstrap, Topics.named(failing, Topics.SHARE_GRANTS), true, r -> {}))
        .as("no movement twice").isEqualTo(expected.moves());
    Map<String, ShareState> states = new HashMap<>();
    TopicReader.forEach(bootstrap, Topics.named(failing, Topics.SHARE_STATES), true, r -> {
      ShareState s = Codecs.SHARE_STATE.decode(r.value());
      states.put(s.getShareId(), s);
    });
    assertThat(states).hasSize((int) expected.shares());

    // Settlement books the failing run's share grants next to the grants and opens, killed once as well.
    String ledger = prefix + "ledger-";
    TopicAdmin.ensure(bootstrap, List.of(Topics.named(ledger, Topics.LEDGER), Topics.named(ledger, Topics.WALLETS),
        Topics.named(ledger, Topics.GRANT_STATES), Topics.named(ledger, Topics.OPEN_RESULTS),
        Topics.named(ledger, Topics.DEAD_LETTERS)), List.of(), 4);
    FailOnceAfterCheckpoint.reset(100);
    JobClient settlement = startSettlement(failing, ledger);
    long entries = grants.size() + opened.size() + expected.moves();
    try {
      io.redpacket.kafka.Await.until("a checkpoint of the settlement run", TIMEOUT, FailOnceAfterCheckpoint::checkpointed);
      try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
        sendOpens(p, opened.subList(opened.size() / 2, opened.size()), now);
      }
      RunComparison.awaitCommitted(bootstrap, Topics.named(ledger, Topics.LEDGER), entries, TIMEOUT, settlement);
      RunComparison.awaitCommitted(bootstrap, Topics.named(ledger, Topics.OPEN_RESULTS), opened.size(), TIMEOUT,
          settlement);
    } finally {
      settlement.cancel().get(1, TimeUnit.MINUTES);
    }
    assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("settlement failed once too").isTrue();
    assertThat(TopicReader.forEach(bootstrap, Topics.named(ledger, Topics.LEDGER), true, r -> {}))
        .as("no entry twice").isEqualTo(entries);

    SettlementAudit.Report money = AuditRunner.settlement(bootstrap, prefix, ledger);
    assertThat(money.clean()).as(money.render()).isTrue();
    SharingAudit.Report report = AuditRunner.sharing(bootstrap, prefix, failing, ledger);
    assertThat(report.clean()).as(report.render()).isTrue();
    long value = report.pools().values().stream().mapToLong(r -> r.valueCents).sum();
    long settled = report.pools().values().stream().mapToLong(r -> r.claimedCents + r.refundedCents).sum();
    assertThat(settled).as("every shared cent claimed or refunded").isEqualTo(value).isEqualTo(expected.value());
    EnumMap<ShareCode, Long> answers = new EnumMap<>(ShareCode.class);
    report.pools().values().forEach(r -> r.answers.forEach((k, v) -> answers.merge(k, v, Long::sum)));
    assertThat(answers).as("plan " + kinds).containsAllEntriesOf(expected.answers());
    assertThat(answers.get(ShareCode.ALL_CLAIMED)).as("friends lost races for the last piece").isPositive();
    assertThat(answers.get(ShareCode.NOT_OPENED)).as("the unopened grant").isEqualTo(1);

    List<DeadLetter> dead = TopicReader.readAll(bootstrap, Topics.named(failing, Topics.DEAD_LETTERS), false).stream()
        .map(r -> Codecs.DEAD_LETTER.decode(r.value())).toList();
    assertThat(dead).extracting(DeadLetter::getSourceTopic).contains(Topics.named(prefix, Topics.SHARE_CLAIMS),
        Topics.named(prefix, Topics.SHARES));
    assertThat(dead).anySatisfy(d -> assertThat(d.getError()).contains("action CLAIM on the SHARE topic"));
  }

  /**
   * What the rules say the runs must produce, worked out share by share with the plain rules:
   * each share's requests first, then its claims in log order, as the job sees them once it waits.
   */
  record Expected(long moves, long shares, long value, Map<ShareCode, Long> answers) {
    static Expected of(List<Grant> opened, List<SharePlan.Action> plan) {
      Map<String, GrantState> states = new HashMap<>();
      for (Grant g : opened) {
        states.put(g.getGrantId(), GrantState.newBuilder(Settlement.grant(g).state()).setState(GrantPhase.OPENED).build());
      }
      Map<String, ShareState> shares = new LinkedHashMap<>();
      Map<ShareCode, Long> answers = new EnumMap<>(ShareCode.class);
      java.util.Set<String> answered = new java.util.HashSet<>(); // the audit counts a repeated request once
      long moves = 0;
      long value = 0;
      for (ShareAction pass : List.of(ShareAction.SHARE, ShareAction.CLAIM)) {
        for (SharePlan.Action x : plan) {
          if (x.action() != pass) {
            continue;
          }
          ShareRequest r = x.request(1L);
          Sharing.Step step = pass == ShareAction.SHARE
              ? Sharing.share(states.get(r.getShareId()), shares.get(r.getShareId()), r, 1)
              : Sharing.claim(shares.get(r.getShareId()), r);
          if (step.state() != null) {
            shares.put(r.getShareId(), step.state());
          }
          if (step.move() != null) {
            moves++;
            value += step.move().getKind() == ShareMove.RESERVE ? step.move().getCents() : 0;
          }
          if (answered.add(r.getAction() + "|" + r.getShareId() + "|" + r.getRequestId() + "|" + r.getUserId())) {
            answers.merge(step.result().getResult(), 1L, Long::sum);
          }
        }
      }
      for (ShareState s : shares.values()) {
        moves += Sharing.expire(s).move() == null ? 0 : 1;
      }
      return new Expected(moves, shares.size(), value, answers);
    }
  }

  /**
   * Waits for a run's committed records on an output; if they do not all come, fails with what differs
   * between the two runs on the share grants and the answers, which says more than a count.
   */
  void awaitCommitted(String run, String topic, long count, String calm, String failing, JobClient... jobs) {
    try {
      RunComparison.awaitCommitted(bootstrap, Topics.named(run, topic), count, TIMEOUT, jobs);
    } catch (IllegalStateException e) {
      throw new AssertionError(e.getMessage() + "; share grants that differ (failing vs calm): "
          + shareGrantDifferences(calm, failing) + "; answers that differ: " + answerDifferences(calm, failing)
          + "; answers by code (calm, failing): " + answerCodes(calm) + ", " + answerCodes(failing)
          + "; the requests' event time in the calm run " + WatermarkProbe.seen(calm) + " and in the failing run "
          + WatermarkProbe.seen(failing), e);
    }
  }

  /** A run's committed answers, counted by their code. */
  Map<ShareCode, Long> answerCodes(String run) {
    Map<ShareCode, Long> codes = new EnumMap<>(ShareCode.class);
    TopicReader.forEach(bootstrap, Topics.named(run, Topics.SHARE_RESULTS), true,
        r -> codes.merge(Codecs.SHARE_RESULT.decode(r.value()).getResult(), 1L, Long::sum));
    return codes;
  }

  /** Notes the requests' watermarks on their way to the share operator, for a failure message. */
  static DataStream<ShareRequest> probed(DataStream<ShareRequest> requests, String run) {
    return requests.transform("watermark-probe", requests.getType(), new WatermarkProbe<>(run)).uid("watermark-probe");
  }

  /** Share grants, by move id, that the failing run wrote otherwise than the calm one, byte for byte. */
  List<String> shareGrantDifferences(String calm, String failing) {
    return differences(records(bootstrap, failing, Topics.SHARE_GRANTS, b -> Codecs.SHARE_GRANT.decode(b).getMoveId()),
        records(bootstrap, calm, Topics.SHARE_GRANTS, b -> Codecs.SHARE_GRANT.decode(b).getMoveId()));
  }

  /** Answers, by request id, that differ between the runs. */
  List<String> answerDifferences(String calm, String failing) {
    return differences(records(bootstrap, failing, Topics.SHARE_RESULTS, b -> Codecs.SHARE_RESULT.decode(b).getRequestId()),
        records(bootstrap, calm, Topics.SHARE_RESULTS, b -> Codecs.SHARE_RESULT.decode(b).getRequestId()));
  }

  String outputs(String run) {
    return RunComparison.runTopics(bootstrap, prefix, run,
        List.of(Topics.SHARE_GRANTS, Topics.SHARE_STATES, Topics.SHARE_RESULTS, Topics.DEAD_LETTERS),
        List.of(Topics.SHARE_STATES));
  }

  JobClient startSharing(String outputPrefix, UnaryOperator<DataStream<ShareRequest>> beforeSharing) throws Exception {
    StreamExecutionEnvironment env = FailOnceAfterCheckpoint.miniCluster(outputPrefix, 2, "128m");
    SharingJob.define(env,
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.GRANT_STATES), outputPrefix + "states", false),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.SHARES), outputPrefix + "shares", false),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.SHARE_CLAIMS), outputPrefix + "claims", false),
        SharingJob.kafkaSinks(bootstrap, outputPrefix, "test-sharing"),
        new SharingSettings(EXPIRY, WAIT, RETENTION, CLAIM_GRACE), beforeSharing);
    return env.executeAsync("sharing " + outputPrefix);
  }

  JobClient startSettlement(String shareGrantsPrefix, String outputPrefix) throws Exception {
    StreamExecutionEnvironment env = FailOnceAfterCheckpoint.miniCluster(outputPrefix, 2, "128m");
    SettlementJob.define(env,
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.GRANTS), outputPrefix + "grants", false),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.OPENS), outputPrefix + "opens", false),
        KafkaIo.source(bootstrap, Topics.named(shareGrantsPrefix, Topics.SHARE_GRANTS), outputPrefix + "share-grants", false),
        SettlementJob.kafkaSinks(bootstrap, outputPrefix, "test-settlement-sharing"),
        new SettlementSettings(Duration.ofHours(1), WAIT, Duration.ofHours(1)),
        s -> s.map(new FailOnceAfterCheckpoint<Open>(2_000_000)).name("fail-once").uid("fail-once"));
    return env.executeAsync("settlement " + outputPrefix);
  }

  void sendOpens(CheckedProducer p, List<Grant> owners, long now) {
    for (Grant g : owners) {
      Open o = new Open("o-" + g.getGrantId(), g.getGrantId(), g.getUserId(), now);
      p.send(new ProducerRecord<>(Topics.named(prefix, Topics.OPENS), null, now,
          g.getGrantId().getBytes(StandardCharsets.UTF_8), Codecs.OPEN.encode(o)));
    }
  }
}
