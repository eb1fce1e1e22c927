package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.codec.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;

/** sql/tables.sql declares every topic, and the worked queries of docs/sql.md plan against it, live and bounded. */
class SqlTablesTest {
  static final Path ROOT = Path.of("..");

  static TableEnvironment tables(boolean bounded) {
    Configuration conf = new Configuration();
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.newInstance().withConfiguration(conf).build());
    String declarations = SqlCommand.render(ROOT.resolve("sql/tables.sql"), "127.0.0.1:1", "p.", bounded);
    for (String statement : SqlCommand.statements(declarations)) {
      SqlCommand.run(env, statement);
    }
    return env;
  }

  @Test
  void everyTopicIsATable() {
    List<String> names = List.of(tables(false).listTables());
    for (String topic : Topics.ALL) {
      assertThat(names).as(topic).contains(topic.replace('-', '_'));
    }
  }

  @Test
  void theWorkedQueriesPlanLiveAndBounded() throws Exception {
    for (boolean bounded : new boolean[] {false, true}) {
      TableEnvironment env = tables(bounded);
      for (String file : List.of("pool-cents-per-minute.sql", "largest-packets.sql", "wallet-mismatches.sql")) {
        for (String query : SqlCommand.statements(Files.readString(ROOT.resolve("sql/queries").resolve(file)))) {
          assertThat(env.explainSql(query)).as(file).isNotBlank();
        }
      }
      // Every table plans (its columns match the record's fields and types).
      for (String table : env.listTables()) {
        assertThat(env.explainSql("SELECT * FROM " + table)).as(table).isNotBlank();
      }
    }
  }

  @Test
  void splitsStatementsOutsideQuotesAndComments() {
    assertThat(SqlCommand.statements("-- a comment; here\nSELECT 'a;b' FROM t;\n\nSHOW TABLES;"))
        .containsExactly("SELECT 'a;b' FROM t", "SHOW TABLES");
  }
}
