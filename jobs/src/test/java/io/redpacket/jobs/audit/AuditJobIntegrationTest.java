package io.redpacket.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Wallet;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.jobs.common.FailOnceAfterCheckpoint;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The continuous audit on a MiniCluster against the real broker: forged ledger entries written straight
 * to the topic (a credit with no grant, a second refund, an unbalanced entry) are flagged within a
 * bounded time, and a clean pool with its wallets, written alongside, draws no finding at all.
 */
class AuditJobIntegrationTest {
  static final String BOOTSTRAP = SharedKafka.bootstrap();

  static Grant grant(String pool, String id, String user, long cents) {
    return Grant.newBuilder().setGrantId(id).setShakeId("s-" + id).setUserId(user).setPoolId(pool).setSetId(0)
        .setCents(cents).setSequence(1).setTimestamp(1000).setSponsor("sp").build();
  }

  static LedgerEntry entry(String pool, String grantId, String user, EntryKind kind, String suffix, String debit,
      String credit, long debitCents, long creditCents) {
    return LedgerEntry.newBuilder().setEntryId(grantId + "/" + suffix).setKind(kind).setGrantId(grantId).setPoolId(pool)
        .setUserId(user).setDebitAccount(debit).setDebitCents(debitCents).setCreditAccount(credit)
        .setCreditCents(creditCents).setTimestamp(2000).build();
  }

  static LedgerEntry move(String pool, String grantId, String user, EntryKind kind, long cents) {
    String suffix = kind.name().toLowerCase();
    return switch (kind) {
      case RESERVE -> entry(pool, grantId, user, kind, suffix, "sponsor:sp", "pool:" + pool, cents, cents);
      case CREDIT -> entry(pool, grantId, user, kind, suffix, "pool:" + pool, "wallet:" + user, cents, cents);
      case REFUND -> entry(pool, grantId, user, kind, suffix, "pool:" + pool, "sponsor:sp", cents, cents);
      case SHARE_RESERVE -> entry(pool, grantId, user, kind, suffix, "sponsor:sp", "share:" + grantId, cents, cents);
      case SHARE_CREDIT -> entry(pool, grantId, user, kind, suffix + "/1", "share:" + grantId, "wallet:" + user, cents,
          cents);
      default -> throw new IllegalArgumentException(kind.name());
    };
  }

  static Wallet wallet(String user, long cents, long credits) {
    return Wallet.newBuilder().setUserId(user).setBalanceCents(cents).setCredits(credits).setLastEntryId("x")
        .setTimestamp(3000).build();
  }

  @Test
  void flagsForgedEntriesWithinBoundsAndStaysQuietOnACleanPool() throws Exception {
    String prefix = "audit-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TopicAdmin.ensure(BOOTSTRAP, Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList(),
        Topics.COMPACTED.stream().map(t -> Topics.named(prefix, t)).toList(), 2);
    try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(BOOTSTRAP))) {
      // The clean pool "c": one grant credited, one refunded, one outstanding; a share credited to a friend.
      for (Grant g : List.of(grant("c", "c/0/1", "u1", 100), grant("c", "c/0/2", "u2", 250), grant("c", "c/0/3", "u3", 70),
          // The forged pool "f": its grants are fine.
          grant("f", "f/0/1", "uf", 40), grant("f", "f/0/2", "uf", 50))) {
        p.send(record(prefix, Topics.GRANTS, g.getGrantId(), Codecs.GRANT.encode(g)));
      }
      List<LedgerEntry> ledger = new ArrayList<>(List.of(move("c", "c/0/1", "u1", EntryKind.RESERVE, 100),
          move("c", "c/0/2", "u2", EntryKind.RESERVE, 250), move("c", "c/0/3", "u3", EntryKind.RESERVE, 70),
          move("c", "c/0/1", "u1", EntryKind.CREDIT, 100), move("c", "c/0/2", "u2", EntryKind.REFUND, 250),
          move("c", "c/0/1", "u2", EntryKind.SHARE_RESERVE, 30), move("c", "c/0/1", "u2", EntryKind.SHARE_CREDIT, 30),
          move("f", "f/0/1", "uf", EntryKind.RESERVE, 40), move("f", "f/0/1", "uf", EntryKind.REFUND, 40)));
      // The forgeries: a second refund, a credit with no grant, an unbalanced entry.
      LedgerEntry secondRefund = move("f", "f/0/1", "uf", EntryKind.REFUND, 40);
      secondRefund.setEntryId("f/0/1/refund-again");
      ledger.add(secondRefund);
      ledger.add(move("f", "f/0/9", "uf", EntryKind.CREDIT, 500));
      ledger.add(entry("f", "f/0/2", "uf", EntryKind.RESERVE, "reserve", "sponsor:sp", "pool:f", 50, 45));
      for (LedgerEntry e : ledger) {
        p.send(record(prefix, Topics.LEDGER, e.getEntryId(), Codecs.LEDGER.encode(e)));
      }
      for (Wallet w : List.of(wallet("u1", 100, 1), wallet("u2", 30, 1))) {
        p.send(record(prefix, Topics.WALLETS, w.getUserId(), Codecs.WALLET.encode(w)));
      }
      p.flush();
    }

    // The Prometheus reporter, as in the stack: the alert rule's metric is read where Prometheus would read it.
    int metricsPort = freePort();
    var conf = FailOnceAfterCheckpoint.clusterConfig(prefix + "audit", 2, "128m");
    conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
    env.setParallelism(2);
    AuditJob.define(env, KafkaIo.source(BOOTSTRAP, Topics.named(prefix, Topics.GRANTS), prefix + "a-grants", false),
        KafkaIo.source(BOOTSTRAP, Topics.named(prefix, Topics.LEDGER), prefix + "a-ledger", false),
        KafkaIo.source(BOOTSTRAP, Topics.named(prefix, Topics.WALLETS), prefix + "a-wallets", false),
        AuditJob.resultSink(BOOTSTRAP, prefix, "test-audit-" + prefix), KafkaIo.deadLetters(BOOTSTRAP, prefix),
        // The three inputs' readers may start seconds apart on a busy machine: the clean pool must not be judged
        // before all of it is read.
        new AuditJob.Settings(Duration.ofSeconds(20), Duration.ofSeconds(10)));
    JobClient job = env.executeAsync("audit " + prefix);
    List<AuditResult> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      consumer.subscribe(List.of(Topics.named(prefix, Topics.AUDIT_RESULTS)));
      // Bounded: the waits are 20 s and 10 s; the rest is start-up and a checkpoint (the sink is exactly-once).
      Await.until("the audit to flag every forgery", Duration.ofSeconds(120), () -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          found.add(Codecs.AUDIT_RESULT.decode(r.value()));
        }
        List<String> seen = found.stream().map(f -> f.getCheck() + " " + f.getSubject()).toList();
        return seen.containsAll(List.of("UNBALANCED_ENTRY f/0/2/reserve", "SETTLED_TWICE f/0/1", "NO_GRANT f/0/9",
            "POOL_UNBALANCED f", "WALLET_MISMATCH uf"));
      });
      // The alert (monitoring/alerts.yml) fires on any increase of this counter; the reporter shows it raised.
      String alertMetric = "flink_taskmanager_job_task_operator_redpacket_audit_violations_total";
      assertThat(Files.readString(Path.of("../monitoring/alerts.yml"))).contains("increase(" + alertMetric + "[");
      Await.until("the alert metric to count the findings", Duration.ofSeconds(30),
          () -> sum(scrape(metricsPort), alertMetric) >= found.size());
      assertThat(sum(scrape(metricsPort), "flink_taskmanager_job_task_operator_redpacket_audit_checked_total"))
          .as("records checked").isGreaterThan(found.size());
    } finally {
      job.cancel().get(1, TimeUnit.MINUTES);
    }
    // The clean pool's checks ran as the forged pool's did, after the same waits.
    assertThat(found).noneMatch(f -> "c".equals(f.getPoolId()) || f.getSubject().startsWith("c")
        || List.of("u1", "u2", "u3").contains(f.getSubject()));
    assertThat(found).allMatch(f -> f.getSubject().startsWith("f") || f.getSubject().equals("uf"));
    assertThat(found).filteredOn(f -> f.getCheck().equals("SETTLED_TWICE")).singleElement()
        .satisfies(f -> assertThat(f.getDetail()).contains("refund-again"));
  }

  static int freePort() throws java.io.IOException {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String scrape(int port) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build();
    return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The sum over every series (one per subtask) of a metric in Prometheus' text format. */
  static double sum(String exposition, String metric) {
    return exposition.lines().filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  static ProducerRecord<byte[], byte[]> record(String prefix, String topic, String key, byte[] value) {
    return new ProducerRecord<>(Topics.named(prefix, topic), key.getBytes(StandardCharsets.UTF_8), value);
  }

  static KafkaConsumer<byte[], byte[]> consumer() {
    Properties c = new Properties();
    c.put("bootstrap.servers", BOOTSTRAP);
    c.put("group.id", "audit-test-" + UUID.randomUUID());
    c.put("auto.offset.reset", "earliest");
    c.put("isolation.level", "read_committed");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
