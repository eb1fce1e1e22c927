package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.codec.Topics;
import io.redpacket.core.SettlementAudit;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On the observed wave's stack (four jobs, the ingest): the worked queries of docs/sql.md, run on a
 * MiniCluster over the wave's topics, equal the settlement audit's figures to the cent; and the
 * continuous audit, having read every entry, found nothing on this clean wave.
 */
@Order(4)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ObservabilitySqlTest {
  static final Path ROOT = Path.of("..");

  @AfterAll
  static void done() {
    ObservedWave.done(ObservabilitySqlTest.class);
  }

  static List<Row> run(TableEnvironment env, String query) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }

  /** The final table of a changelog: inserts and updates-after added, retractions removed. */
  static List<Row> materialize(List<Row> changelog) {
    List<Row> table = new ArrayList<>();
    for (Row r : changelog) {
      RowKind kind = r.getKind();
      Row plain = Row.copy(r);
      plain.setKind(RowKind.INSERT);
      if (kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER) {
        table.add(plain);
      } else {
        table.remove(plain);
      }
    }
    return table;
  }

  static String query(String file) throws Exception {
    return SqlCommand.statements(Files.readString(ROOT.resolve("sql/queries").resolve(file))).get(0);
  }

  @Test
  void theWorkedQueriesEqualTheAuditToTheCentAndTheContinuousAuditStaysQuiet() throws Exception {
    ObservedWave w = ObservedWave.settled();
    String bootstrap = w.stack.bootstrap();
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    env.getConfig().set("parallelism.default", "2");
    for (String s : SqlCommand.statements(SqlCommand.render(ROOT.resolve("sql/tables.sql"), bootstrap, "", true))) {
      SqlCommand.run(env, s);
    }

    SettlementAudit.PoolRow audited = w.audit.pools().get(w.pool.getPoolId());
    long granted = 0;
    long credited = 0;
    long refunded = 0;
    for (Row r : run(env, query("pool-cents-per-minute.sql"))) {
      if (r.getField(0).equals(w.pool.getPoolId())) {
        granted += (Long) r.getField(3);
        credited += (Long) r.getField(4);
        refunded += (Long) r.getField(5);
      }
    }
    assertThat(List.of(granted, credited, refunded)).as("granted, credited, refunded cents")
        .containsExactly(audited.grantedCents, audited.creditedCents, audited.refundedCents);

    List<Row> top = materialize(run(env, query("largest-packets.sql").replace("'demo'", "'" + w.pool.getPoolId() + "'")));
    List<Long> expected = w.grants.stream().map(Grant::getCents).sorted(Comparator.reverseOrder()).limit(10).toList();
    assertThat(top.stream().map(r -> (Long) r.getField(2)).sorted(Comparator.reverseOrder()).toList())
        .isEqualTo(expected);

    assertThat(materialize(run(env, query("wallet-mismatches.sql")))).as("wallets off their credits").isEmpty();

    // The continuous audit checked every ledger entry (its audit_checked_total, scraped from Flink's
    // reporter), and its pool and wallet checks ran (10 s of quiet after the last record): it found nothing.
    long entries = TopicReader.forEach(bootstrap, Topics.LEDGER, true, r -> {});
    long[] caughtUp = {0};
    Await.until("the continuous audit to check the wave's " + entries + " ledger entries", Duration.ofMinutes(2), () -> {
      if (caughtUp[0] == 0 && checkedByTheAudit() >= entries) {
        caughtUp[0] = System.nanoTime();
      }
      return caughtUp[0] != 0 && System.nanoTime() - caughtUp[0] > Duration.ofSeconds(13).toNanos();
    });
    List<String> findings = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.AUDIT_RESULTS, true,
        r -> findings.add(io.redpacket.codec.Codecs.AUDIT_RESULT.decode(r.value()).toString()));
    assertThat(findings).as("findings of the continuous audit on a clean wave").isEmpty();
  }

  /** The audit's audit_checked_total summed over what Flink's reporter exports now. */
  static double checkedByTheAudit() {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    double sum = 0;
    for (int port = 9249; port <= 9260; port++) {
      try {
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
          if (line.startsWith("flink_taskmanager_job_task_operator_redpacket_audit_checked_total")) {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      } catch (java.io.IOException | InterruptedException nothingThere) {
        // the reporter takes the ports it needs from the range
      }
    }
    return sum;
  }
}
