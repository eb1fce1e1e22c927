package io.redpacket.sql.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.codec.Codecs;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** Flink SQL on a MiniCluster over real topics in the project's encoding: read, skip or fail, write. */
class RedpacketAvroSqlTest {
  static final String LEDGER_COLUMNS = "entryId STRING, kind STRING, grantId STRING, poolId STRING, userId STRING, "
      + "debitAccount STRING, debitCents BIGINT, creditAccount STRING, creditCents BIGINT, `timestamp` BIGINT";

  static LedgerEntry entry(String grant, EntryKind kind, long cents) {
    String account = kind == EntryKind.CREDIT ? "wallet:u" : "sponsor:s";
    return LedgerEntry.newBuilder().setEntryId(grant + "/" + kind).setKind(kind).setGrantId(grant).setPoolId("p")
        .setUserId("u").setDebitAccount(kind == EntryKind.RESERVE ? "sponsor:s" : "pool:p").setDebitCents(cents)
        .setCreditAccount(kind == EntryKind.RESERVE ? "pool:p" : account).setCreditCents(cents).setTimestamp(1000).build();
  }

  static TableEnvironment tables(String bootstrap, String prefix, boolean ignore) {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    env.getConfig().set("parallelism.default", "1");
    for (String name : List.of("ledger", "ledger_copy")) {
      env.executeSql("CREATE TABLE " + name + " (" + LEDGER_COLUMNS + ") WITH ('connector' = 'kafka', 'topic' = '"
          + prefix + (name.equals("ledger") ? "ledger" : "ledger-copy") + "', 'properties.bootstrap.servers' = '" + bootstrap
          + "', 'properties.group.id' = 'sql-test', 'scan.startup.mode' = 'earliest-offset', "
          + "'scan.bounded.mode' = 'latest-offset', 'format' = 'redpacket-avro', 'redpacket-avro.record' = 'LedgerEntry', "
          + "'redpacket-avro.ignore-parse-errors' = '" + ignore + "')");
    }
    return env;
  }

  static List<Row> rows(TableEnvironment env, String query) throws Exception {
    List<Row> out = new ArrayList<>();
    try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void queriesATopicSkipsOrFailsOnBadRecordsAndWritesBack() throws Exception {
    String bootstrap = SharedKafka.bootstrap();
    String prefix = "sqlfmt-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TopicAdmin.ensure(bootstrap, List.of(prefix + "ledger", prefix + "ledger-copy"), List.of(), 2);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      for (LedgerEntry e : List.of(entry("p/0/1", EntryKind.RESERVE, 100), entry("p/0/1", EntryKind.CREDIT, 100),
          entry("p/0/2", EntryKind.RESERVE, 250), entry("p/0/2", EntryKind.REFUND, 250))) {
        producer.send(new ProducerRecord<>(prefix + "ledger", e.getEntryId().getBytes(StandardCharsets.UTF_8),
            Codecs.LEDGER.encode(e))).get();
      }
      producer.send(new ProducerRecord<>(prefix + "ledger", "junk".getBytes(), "not avro".getBytes())).get();
    }

    TableEnvironment lenient = tables(bootstrap, prefix, true);
    List<Row> sums = rows(lenient, "SELECT kind, SUM(creditCents) FROM ledger GROUP BY kind");
    assertThat(sums.stream().filter(r -> r.getKind() == org.apache.flink.types.RowKind.INSERT
        || r.getKind() == org.apache.flink.types.RowKind.UPDATE_AFTER).map(Row::toString).toList())
        .contains("+I[CREDIT, 100]", "+I[REFUND, 250]").anyMatch(s -> s.endsWith("[RESERVE, 350]"));

    assertThatThrownBy(() -> rows(tables(bootstrap, prefix, false), "SELECT entryId FROM ledger"))
        .hasStackTraceContaining("ignore-parse-errors");

    lenient.executeSql("INSERT INTO ledger_copy SELECT * FROM ledger WHERE kind = 'CREDIT'").await();
    Properties c = new Properties();
    c.put("bootstrap.servers", bootstrap);
    c.put("group.id", "sql-test-check");
    c.put("auto.offset.reset", "earliest");
    c.put("isolation.level", "read_committed");
    List<LedgerEntry> copied = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(prefix + "ledger-copy"));
      io.redpacket.kafka.Await.until("the copied credit", Duration.ofSeconds(60), () -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          copied.add(Codecs.LEDGER.decode(r.value()));
        }
        return !copied.isEmpty();
      });
    }
    assertThat(copied).containsExactly(entry("p/0/1", EntryKind.CREDIT, 100));
  }
}
