package io.redpacket.launcher;

import io.redpacket.cluster.LocalStack;
import io.redpacket.cluster.IngestReady;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.Open;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.Table;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.live.LiveServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.HttpWave;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.simulator.WavePlan;
import io.redpacket.kafka.Await;
import io.redpacket.stack.LocalKafka;
import io.redpacket.kafka.TopicReader;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Seeing a wave, on one small run of the local stack (the three jobs, the ingest, the live page):
 * the live page in a real browser (Debian's headless Chromium through Selenium and
 * {@code /usr/bin/chromedriver}; nothing is downloaded) shows the audit's numbers to the cent and
 * is saved as {@code launcher/target/live-page.png}; Flink's Prometheus reporter and the ingest's
 * {@code /metrics} carry the business metrics with the run's values; and every metric the Grafana
 * dashboards query is one they export.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ObservabilityTest {
  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");
  static final String SECRET = "observability-secret-0123456789";

  static Path dir;
  static LocalStack stack;
  static IngestServer ingest;
  static LiveServer live;
  static PoolDefinition pool;
  static List<Grant> grants = new ArrayList<>();
  static long opened;
  static SettlementAudit.Report audit;
  /** Every sample scraped, by metric name. */
  static final Map<String, List<String[]>> scraped = new TreeMap<>();

  @BeforeAll
  static void aSmallSettledWave() throws Exception {
    dir = Files.createTempDirectory("observability");
    stack = LocalStack.start(dir, false, 4, 2, 0, Duration.ofMillis(500), Duration.ofHours(1), Duration.ofHours(1),
        new PrintStream(OutputStream.nullOutputStream()));
    long now = System.currentTimeMillis();
    pool = PoolDefinition.newBuilder().setPoolId("live").setSponsor("acme").setTotalCents(500_000)
        .setTotalCount(400).setSets(8).setMinCents(1).setMaxCents(20_000).setStartMillis(now - 1000)
        .setEndMillis(now + 600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false)
        .setCreatedMillis(now).build();
    PoolWriter.create(stack.bootstrap(), Topics.POOLS, pool); // before the ingest, which is ready once it read the pools
    ingest = IngestServer.start(IngestConfig.defaults(stack.bootstrap(), SECRET, "admin-observability").withPort(0));
    IngestReady.await(ingest.port());
    live = LiveServer.start(stack.bootstrap(), "", 0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (live != null) {
      live.close();
    }
    if (ingest != null) {
      ingest.close();
    }
    if (stack != null) {
      stack.close();
    }
    LocalKafka.deleteRecursively(dir);
  }

  /** The wave: shakes through the ingest, three owners in four open theirs (the rest stay reserved). */
  static void runTheWave() throws Exception {
    long now = System.currentTimeMillis();
    HttpWave wave = new HttpWave("http://127.0.0.1:" + ingest.port(), SECRET, 64, Duration.ofSeconds(10));
    try {
      wave.run(WavePlan.standard(pool, 3_000, 3), 6_000, 64, r -> {});
    } finally {
      wave.close();
    }
    long shakes = TopicReader.forEach(stack.bootstrap(), Topics.SHAKES, true, r -> {});
    TopicReader.awaitCommitted(stack.bootstrap(), Topics.SHAKE_OUTCOMES, shakes, Duration.ofMinutes(2));
    TopicReader.forEach(stack.bootstrap(), Topics.GRANTS, true, r -> grants.add(Codecs.GRANT.decode(r.value())));
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(ProducerSettings.reliable(stack.bootstrap()))) {
      for (int i = 0; i < grants.size(); i++) {
        if (i % 4 != 0) {
          Grant g = grants.get(i);
          p.send(Records.open(Topics.OPENS, new Open("o-" + i, g.getGrantId(), g.getUserId(), now)));
          opened++;
        }
      }
    }
    TopicReader.awaitCommitted(stack.bootstrap(), Topics.LEDGER, grants.size() + opened, Duration.ofMinutes(2));
    TopicReader.awaitCommitted(stack.bootstrap(), Topics.WALLETS, opened, Duration.ofMinutes(2));
    audit = AuditRunner.settlement(stack.bootstrap(), "", "");
    assertThat(audit.clean()).as(audit.render()).isTrue();
  }

  @Test
  void theLivePageShowsTheWaveAndItsNumbersAreTheAudits() throws Exception {
    assertThat(CHROMIUM).as("the browser test needs Debian's chromium and chromium-driver: apt-get install chromium"
        + " chromium-driver (.ci/run installs them)").exists();
    assertThat(CHROMEDRIVER).exists();
    ChromeDriver browser = browser(dir);
    try {
      browser.get(live.url());
      Await.until("the page is connected", Duration.ofSeconds(30),
          () -> browser.findElement(By.id("status")).getText().startsWith("live"));
      runTheWave(); // with the page open: it follows the wave as it happens
      SettlementAudit.PoolRow row = audit.pools().get("live");
      Await.until("the page shows the settled wave", Duration.ofSeconds(30),
          () -> text(browser, "credited-amount").equals(Table.money(row.creditedCents))
              && text(browser, "wallet-total").equals(Table.money(audit.walletCents())));
      assertThat(text(browser, "grants-count")).isEqualTo(String.format("%,d", row.grants));
      assertThat(text(browser, "granted-amount")).isEqualTo(Table.money(row.grantedCents));
      assertThat(text(browser, "refunded-amount")).isEqualTo(Table.money(row.refundedCents));
      assertThat(text(browser, "outstanding-amount")).isEqualTo(Table.money(row.outstandingCents));
      assertThat(text(browser, "wallet-count")).isEqualTo(String.format("%,d", audit.wallets()));
      // The tables are redrawn twice a second: read them in one script, not element by element.
      assertThat((String) browser.executeScript("return document.querySelector('#pools tbody tr').innerText"))
          .as("the pool: all granted, none left").contains("live", "400", Table.money(500_000), "8/8");
      @SuppressWarnings("unchecked")
      List<String> largest = (List<String>) browser.executeScript("return Array.from(document.querySelectorAll("
          + "'#largest tbody tr td:nth-child(3)')).map(td => td.innerText)");
      assertThat(largest).hasSize(10).first()
          .isEqualTo(Table.money(grants.stream().mapToLong(Grant::getCents).max().orElseThrow()));
      Path saved = Path.of("target", "live-page.png");
      Files.createDirectories(saved.getParent());
      Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), saved,
          StandardCopyOption.REPLACE_EXISTING);
      assertThat(Files.size(saved)).as("a screenshot of the page").isPositive();
    } finally {
      browser.quit();
    }
    scrapeEverything();
    businessMetricsCarryTheRunsValues();
    everyMetricTheDashboardsQueryIsExported();
  }

  /** Flink's reporter (every port of its range that answers) and the ingest. */
  static void scrapeEverything() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    List<String> bodies = new ArrayList<>();
    for (int port = 9249; port <= 9260; port++) {
      try {
        bodies.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
      } catch (java.io.IOException nothingThere) {
        // the reporter takes the ports it needs from the range
      }
    }
    bodies.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    for (String body : bodies) {
      for (String line : body.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (!line.startsWith("#") && m.find()) {
          scraped.computeIfAbsent(m.group(1), k -> new ArrayList<>())
              .add(new String[] {m.group(3) == null ? "" : m.group(3), m.group(4)});
        }
      }
    }
    Files.write(Path.of("target", "scraped-metrics.txt"), scraped.keySet());
    Files.write(Path.of("target", "scraped-samples.txt"), bodies);
  }

  /** The sum over subtasks of the samples of a metric whose labels contain every given fragment. */
  static double sum(String name, String... labelFragments) {
    assertThat(scraped).as("exported: " + name).containsKey(name);
    return scraped.get(name).stream().filter(s -> Stream.of(labelFragments).allMatch(s[0]::contains))
        .mapToDouble(s -> Double.parseDouble(s[1])).sum();
  }

  static void businessMetricsCarryTheRunsValues() {
    String op = "flink_taskmanager_job_task_operator_redpacket_";
    long granted = grants.stream().mapToLong(Grant::getCents).sum();
    assertThat(sum(op + "grants_total")).isEqualTo(grants.size());
    assertThat(sum(op + "granted_cents_total")).isEqualTo(granted);
    // A retried winning shake is answered WON again (the same grant): at least one WON per grant.
    assertThat(sum(op + "outcome_shakes_total", "outcome=\"WON\"")).isGreaterThanOrEqualTo(grants.size());
    assertThat(sum(op + "outcome_shakes_total", "outcome=\"POOL_EXHAUSTED\"")).isPositive();
    assertThat(sum(op + "pool_granted_cents_total", "pool=\"live\"")).isEqualTo(granted);
    assertThat(scraped.get(op + "pool_budget_cents")).extracting(s -> Double.parseDouble(s[1])).contains(500_000.0);
    assertThat(sum(op + "grants_reserved_total")).isEqualTo(grants.size());
    assertThat(sum(op + "grants_credited_total")).isEqualTo(opened);
    assertThat(sum(op + "credited_cents_total")).isEqualTo(audit.pools().get("live").creditedCents);
    assertThat(sum(op + "wallet_credits_total")).isEqualTo(opened);
    assertThat(scraped).containsKeys(op + "open_to_credit_milliseconds", op + "dead_letters_total",
        op + "shares_total", op + "pieces_claimed_total");
    assertThat(sum("redpacket_ingest_requests_total", "route=\"shakes\"", "status=\"200\"")).isPositive();
    assertThat(sum("redpacket_ingest_answers_total", "path=\"local\"")).as("answered at the edge").isPositive();
    assertThat(sum("redpacket_ingest_answers_total", "path=\"forwarded\"")).as("forwarded").isPositive();
    assertThat(sum("redpacket_ingest_answer_seconds_count", "route=\"shakes\"")).isGreaterThanOrEqualTo(6_000);
    assertThat(scraped).containsKeys("redpacket_ingest_load_level", "redpacket_ingest_kafka_producer_records_per_second");
  }

  static void everyMetricTheDashboardsQueryIsExported() throws Exception {
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

  static String text(ChromeDriver browser, String id) {
    return (String) browser.executeScript("return document.getElementById(arguments[0]).innerText", id);
  }

  /** Headless Chromium with the flags this closed network needs (no background connections), a fresh profile. */
  static ChromeDriver browser(Path dir) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1400,1100", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
