package io.redpacket.launcher;

import io.redpacket.avro.Grant;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.SharingAudit;
import io.redpacket.core.StableHash;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicReader;
import io.redpacket.launcher.HostileRecords.Expect;
import io.redpacket.launcher.HostileRecords.Hostile;
import io.redpacket.simulator.AuditRunner;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The hostile drill's wave: a pool, shakes with retries, opens by owners and others, shares and friends' claims,
 * with every bad record of {@link HostileRecords} written among them to the input topics, and the good records
 * also to the calm run's topics. Remembers where each bad record landed and which good ids were sent.
 */
final class HostileWave {
  private final HostileDrill.Settings settings;
  private final PrintStream out;
  private final String bootstrap;
  private final String run;
  private final String calm;
  private final List<String> failures;
  /** Each hostile record written: where it landed, or null when the broker refused it. */
  final Map<Hostile, RecordMetadata> written = new LinkedHashMap<>();
  final Set<String> goodShakeIds = new TreeSet<>();
  private final Set<String> goodOpenIds = new TreeSet<>();
  private final Set<String> goodRequestIds = new TreeSet<>();

  HostileWave(HostileDrill.Settings settings, PrintStream out, String bootstrap, String run, String calm,
      List<String> failures) {
    this.settings = settings;
    this.out = out;
    this.bootstrap = bootstrap;
    this.run = run;
    this.calm = calm;
    this.failures = failures;
  }

  static PoolDefinition pool(HostileDrill.Settings s, long now) {
    return PoolDefinition.newBuilder().setPoolId(HostileDrill.POOL).setSponsor("drill-sponsor").setTotalCents(s.packets() * 500L)
        .setTotalCount(s.packets()).setSets(4).setMinCents(100).setMaxCents(2000).setStartMillis(now - 600_000)
        .setEndMillis(now + 3_600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false)
        .setCreatedMillis(now).setShareCents(300).setSharePieces(3).build();
  }

  /** The wave, in three phases, each with its topics' hostile records among the good ones. */
  void write() throws Exception {
    long now = System.currentTimeMillis();
    PoolDefinition pool = pool(settings, now);
    List<Hostile> hostile = HostileRecords.catalogue(pool, now, settings.seed());
    Map<String, List<Hostile>> byTopic = new HashMap<>();
    hostile.forEach(h -> byTopic.computeIfAbsent(h.topic(), k -> new ArrayList<>()).add(h));
    Properties plain = new Properties();
    plain.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    plain.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    plain.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    plain.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
    // Good records through the pipeline's own producer settings; bad ones through a plain producer of their
    // own, each sent alone, so a record the broker refuses never takes a good one's batch with it.
    try (KafkaProducer<byte[], byte[]> good = new KafkaProducer<>(ProducerSettings.reliable(bootstrap));
        KafkaProducer<byte[], byte[]> bad = new KafkaProducer<>(plain)) {
      for (String prefix : List.of(run, calm)) {
        good.send(new ProducerRecord<>(Topics.named(prefix, Topics.POOLS), null, now, Records.utf8(HostileDrill.POOL),
            Codecs.POOL.encode(pool))).get();
      }
      // Phase 1: shakes (with client retries), among the hostile pools and shakes.
      List<Shake> shakes = new ArrayList<>();
      for (int i = 0; i < settings.shakes(); i++) {
        String user = "user-" + (int) ((i * 7919L) % settings.users());
        shakes.add(Shake.newBuilder().setShakeId("shake-" + i).setUserId(user).setPoolId(HostileDrill.POOL)
            .setSetId(StableHash.setOf(user, pool.getSets())).setTimestamp(now + i).setDevice(null).build());
        if (i % 10 == 3) {
          shakes.add(shakes.get(i / 2)); // a retry of an earlier shake, answered alike
        }
      }
      List<Hostile> phase1 = new ArrayList<>(byTopic.get(Topics.POOLS));
      phase1.addAll(byTopic.get(Topics.SHAKES));
      int every = Math.max(1, shakes.size() / (phase1.size() + 1));
      int h = 0;
      for (int i = 0; i < shakes.size(); i++) {
        Shake s = shakes.get(i);
        goodShakeIds.add(s.getShakeId());
        for (String prefix : List.of(run, calm)) {
          good.send(Records.shake(Topics.named(prefix, Topics.SHAKES), s));
        }
        if (i % every == every / 2 && h < phase1.size()) {
          good.flush();
          send(bad, phase1.get(h++));
        }
      }
      while (h < phase1.size()) {
        send(bad, phase1.get(h++));
      }
      good.flush();
      Await.until(goodShakeIds.size() + " good shakes answered", Duration.ofMinutes(3),
          () -> answered(Topics.SHAKE_OUTCOMES, r -> Codecs.OUTCOME.decode(r).getShakeId()).containsAll(goodShakeIds));

      // Phase 2: opens of the grants (owners, second taps, foreign opens), among the hostile opens.
      List<Grant> grants = TopicReader.readAll(bootstrap, Topics.named(run, Topics.GRANTS), true).stream()
          .map(r -> Codecs.GRANT.decode(r.value())).toList();
      List<Open> opens = new ArrayList<>();
      long at = System.currentTimeMillis();
      for (int i = 0; i < grants.size(); i++) {
        Grant g = grants.get(i);
        if (i % 3 != 2) {
          opens.add(Open.newBuilder().setOpenId("open-" + g.getGrantId()).setGrantId(g.getGrantId()).setUserId(g.getUserId())
              .setTimestamp(at + i).build());
        }
        if (i % 5 == 0) {
          opens.add(Open.newBuilder().setOpenId("again-" + g.getGrantId()).setGrantId(g.getGrantId())
              .setUserId(g.getUserId()).setTimestamp(at + i).build());
        }
        if (i % 7 == 0) {
          opens.add(Open.newBuilder().setOpenId("foreign-" + g.getGrantId()).setGrantId(g.getGrantId())
              .setUserId("someone-else").setTimestamp(at + i).build());
        }
      }
      interleave(good, bad, opens, o -> Records.open(Topics.named(run, Topics.OPENS), o), byTopic.get(Topics.OPENS));
      opens.forEach(o -> goodOpenIds.add(o.getOpenId()));
      Await.until(goodOpenIds.size() + " good opens answered", Duration.ofMinutes(2),
          () -> answered(Topics.OPEN_RESULTS, r -> Codecs.OPEN_RESULT.decode(r).getOpenId()).containsAll(goodOpenIds));

      // Phase 3: shares of opened grants and friends' claims (one too many, a repeat, the sharer's own), among the
      // hostile shares and claims.
      List<String> opened = TopicReader.readAll(bootstrap, Topics.named(run, Topics.OPEN_RESULTS), true).stream()
          .map(r -> Codecs.OPEN_RESULT.decode(r.value())).filter(r -> r.getResult() == OpenCode.OPENED)
          .map(r -> r.getGrantId() + " " + r.getUserId()).sorted().toList();
      List<ShareRequest> shares = new ArrayList<>();
      List<ShareRequest> claims = new ArrayList<>();
      at = System.currentTimeMillis();
      for (int i = 0; i < opened.size(); i += 2) {
        String[] gu = opened.get(i).split(" ");
        shares.add(ShareRequest.newBuilder().setRequestId("share-" + gu[0]).setShareId(gu[0]).setUserId(gu[1])
            .setAction(ShareAction.SHARE).setTimestamp(at).build());
        for (int friend = 0; friend < 5; friend++) {
          String who = friend == 4 ? gu[1] : "friend-" + ((i + friend) % 50);
          claims.add(ShareRequest.newBuilder().setRequestId("claim-" + friend + "-" + gu[0]).setShareId(gu[0]).setUserId(who)
              .setAction(ShareAction.CLAIM).setTimestamp(at + 1 + friend).build());
        }
      }
      interleave(good, bad, shares, r -> Records.shareRequest(Topics.named(run, Topics.SHARES), r), byTopic.get(Topics.SHARES));
      interleave(good, bad, claims, r -> Records.shareRequest(Topics.named(run, Topics.SHARE_CLAIMS), r), byTopic.get(Topics.SHARE_CLAIMS));
      shares.forEach(r -> goodRequestIds.add(r.getRequestId()));
      claims.forEach(r -> goodRequestIds.add(r.getRequestId()));
      Await.until(goodRequestIds.size() + " good shares and claims answered", Duration.ofMinutes(2),
          () -> answered(Topics.SHARE_RESULTS, r -> Codecs.SHARE_RESULT.decode(r).getRequestId()).containsAll(goodRequestIds));
    }
    // Every grant credited or refunded, every share claimed or refunded: the three audits clean (bounded).
    String[] last = {""};
    try {
      Await.until("the wave settled and audited clean", Duration.ofMinutes(3), () -> {
        Audit.Report a = AuditRunner.run(bootstrap, run);
        SettlementAudit.Report s = AuditRunner.settlement(bootstrap, run, run);
        SharingAudit.Report sh = AuditRunner.sharing(bootstrap, run, run, run);
        last[0] = a.render() + s.render() + sh.render();
        return a.clean() && s.clean() && sh.clean();
      });
      out.print(last[0]);
    } catch (RuntimeException e) {
      out.print(last[0]);
      failures.add("the audit is not clean: " + e.getMessage());
    }
  }

  private <T> void interleave(KafkaProducer<byte[], byte[]> good, KafkaProducer<byte[], byte[]> bad, List<T> records,
      java.util.function.Function<T, ProducerRecord<byte[], byte[]>> toRecord, List<Hostile> hostile) throws Exception {
    int every = Math.max(1, records.size() / (hostile.size() + 1));
    int h = 0;
    for (int i = 0; i < records.size(); i++) {
      good.send(toRecord.apply(records.get(i)));
      if (i % every == every / 2 && h < hostile.size()) {
        good.flush();
        send(bad, hostile.get(h++));
      }
    }
    good.flush();
    while (h < hostile.size()) {
      send(bad, hostile.get(h++));
    }
  }

  private void send(KafkaProducer<byte[], byte[]> bad, Hostile h) throws Exception {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.named(run, h.topic()), null, h.kafkaTimestamp(), h.key(), h.value());
    Future<RecordMetadata> sent = bad.send(r);
    try {
      written.put(h, sent.get(1, TimeUnit.MINUTES));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InvalidTimestampException && h.expect() == Expect.REFUSED_OR_DEAD_LETTER) {
        written.put(h, null);
      } else {
        throw e;
      }
    }
  }

  private Set<String> answered(String topic, java.util.function.Function<byte[], String> id) {
    Set<String> ids = new java.util.HashSet<>();
    TopicReader.forEach(bootstrap, Topics.named(run, topic), true, r -> ids.add(id.apply(r.value())));
    return ids;
  }
}
