package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Grafana dashboards are valid and every metric they query is one a run of the stack exports. */
@Order(3)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ObservabilityDashboardsTest {

  @AfterAll
  static void done() {
    ObservedWave.done(ObservabilityDashboardsTest.class);
  }

  @Test
  void everyMetricTheDashboardsQueryIsExported() throws Exception {
    Map<String, List<String[]>> scraped = ObservedWave.settled().scraped();
    Path dashboards = Path.of("..", "monitoring", "grafana", "dashboards");
    List<Path> files;
    try (Stream<Path> s = Files.list(dashboards)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).as("the campaign overview and the pipeline view").hasSizeGreaterThanOrEqualTo(2);
    Pattern metric = Pattern.compile("\\b((?:flink|redpacket)_[a-zA-Z0-9_:]+)");
    // A metric per state (RocksDB's) is queried by a name pattern: it must match something exported.
    Pattern byName = Pattern.compile("__name__=~\"([^\"]+)\"");
    Set<String> patterns = new TreeSet<>();
    Set<String> queried = new TreeSet<>();
    for (Path f : files) {
      JsonObject d = new JsonObject(Files.readString(f)); // valid JSON, or this throws
      assertThat(d.getString("title")).as(f + " has a title").isNotBlank();
      assertThat(d.getString("uid")).as(f + " has a uid").isNotBlank();
      assertThat(d.getJsonArray("panels")).as(f + " has panels").isNotEmpty();
      for (Object panel : d.getJsonArray("panels")) {
        JsonArray targets = ((JsonObject) panel).getJsonArray("targets", new JsonArray());
        assertThat(((JsonObject) panel).getString("title")).as("every panel has a title").isNotBlank();
        for (Object target : targets) {
          String expr = ((JsonObject) target).getString("expr", "");
          Matcher p = byName.matcher(expr);
          while (p.find()) {
            patterns.add(p.group(1));
          }
          Matcher m = metric.matcher(p.replaceAll(""));
          while (m.find()) {
            queried.add(m.group(1));
          }
        }
      }
    }
    assertThat(queried).as("metrics the dashboards query").hasSizeGreaterThan(10);
    assertThat(queried).as("queried but not exported by any part").allMatch(scraped::containsKey);
    for (String p : patterns) {
      assertThat(scraped.keySet()).as("exported metrics matching " + p).anyMatch(n -> n.matches(p));
    }
  }
}
