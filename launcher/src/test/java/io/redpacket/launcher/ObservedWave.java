package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.Open;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.avro.Wallet;
import io.redpacket.cluster.IngestReady;
import io.redpacket.cluster.LocalStack;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.SettlementAudit;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicReader;
import io.redpacket.live.LiveServer;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.HttpWave;
import io.redpacket.simulator.WavePlan;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.LocalKafka;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fixture of the three observability tests: one small run of the local stack (the three jobs,
 * the ingest, the live page) and one settled wave on it, shared because starting it is most of
 * their time. Started by whichever test asks first; the wave runs on the first {@link #settled()},
 * so the live page test, opening its page before asking, sees the wave as it happens when it runs
 * first (the order in {@code junit-platform.properties}). Closed once all three are done, or at
 * the JVM's exit when only some of them were selected.
 */
final class ObservedWave {
  static final String SECRET = "observability-secret-0123456789";
  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");
  /** The tests that use it: it stays up until each has called {@link #done}. */
  private static final Set<String> USERS = Set.of(ObservabilityLivePageTest.class.getName(),
      ObservabilityMetricsTest.class.getName(), ObservabilityDashboardsTest.class.getName(),
      ObservabilitySqlTest.class.getName());
  private static final Set<String> finished = new HashSet<>();
  private static ObservedWave wave;

  final Path dir;
  final LocalStack stack;
  final IngestServer ingest;
  final LiveServer live;
  final PoolDefinition pool;
  final List<Grant> grants = new ArrayList<>();
  long opened;
  /** Shakes the users made, and those they sent to the ingest (the rest the client policy answered on the phone). */
  long shakesMade;
  long shakesSent;
  private boolean waveRan;
  /** The settlement audit of the wave, set once it is clean. */
  SettlementAudit.Report audit;
  /** Every sample scraped, by metric name; scraped once, after the wave. */
  private Map<String, List<String[]>> scraped;

  /** The stack, the ingest and the live page, up; the wave not necessarily run. */
  static synchronized ObservedWave up() throws Exception {
    if (wave == null) {
      wave = new ObservedWave();
      ObservedWave started = wave;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "close-observed-wave"));
    }
    return wave;
  }

  /** The stack after the wave, run now if no test ran it yet. */
  static synchronized ObservedWave settled() throws Exception {
    ObservedWave w = up();
    if (w.audit == null) {
      // Once: a second wave on the same stack would only make the next test's failure confusing.
      if (w.waveRan) {
        throw new IllegalStateException("the wave did not settle cleanly in an earlier test; see its failure");
      }
      w.waveRan = true;
      w.runTheWave();
    }
    return w;
  }

  /** Called by each user's {@code @AfterAll}: the last one closes the stack. */
  static synchronized void done(Class<?> user) {
    finished.add(user.getName());
    if (wave != null && finished.containsAll(USERS)) {
      wave.close();
      wave = null;
    }
  }

  private ObservedWave() throws Exception {
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

  private boolean closed;

  /** Once: by the last user's {@code @AfterAll}, or else by the shutdown hook. */
  private synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (live != null) {
        live.close();
      }
      if (ingest != null) {
        ingest.close();
      }
      stack.close();
      LocalKafka.deleteRecursively(dir);
    } catch (Exception e) {
      throw new IllegalStateException("closing the observed wave", e);
    }
  }

  /** The wave: shakes through the ingest, three owners in four open theirs (the rest stay reserved). */
  private void runTheWave() throws Exception {
    HttpWave httpWave = new HttpWave("http://127.0.0.1:" + ingest.port(), SECRET, 64, Duration.ofSeconds(10));
    try {
      HttpWave.Result r = httpWave.run(WavePlan.standard(pool, 3_000, 3), 6_000, 64, x -> {});
      shakesMade = r.gestures.get();
      shakesSent = r.sent.get();
      live.serveEdge(() -> DemoHttpWave.edge(ingest, r)); // as the demo does
    } finally {
      httpWave.close();
    }
    long shakes = TopicReader.forEach(stack.bootstrap(), Topics.SHAKES, true, r -> {});
    TopicReader.awaitCommitted(stack.bootstrap(), Topics.SHAKE_OUTCOMES, shakes, Duration.ofMinutes(2));
    TopicReader.forEach(stack.bootstrap(), Topics.GRANTS, true, r -> grants.add(Codecs.GRANT.decode(r.value())));
    // Opened as owners open: after their grants, so each CREDIT entry is stamped after its RESERVE. Stamped at the
    // wave's start, the credits were older than every grant; where the wave crossed a minute, the ledger's per-minute
    // windows (ObservabilitySqlTest) had closed on the grants and dropped them as late.
    long openedAt = System.currentTimeMillis();
    long credited = 0;
    try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(stack.bootstrap()))) {
      for (int i = 0; i < grants.size(); i++) {
        if (i % 4 != 0) {
          Grant g = grants.get(i);
          p.send(Records.open(Topics.OPENS, new Open("o-" + i, g.getGrantId(), g.getUserId(), openedAt)));
          opened++;
          credited += g.getCents();
        }
      }
    }
    TopicReader.awaitCommitted(stack.bootstrap(), Topics.LEDGER, grants.size() + opened, Duration.ofMinutes(2));
    // Wallets are a latest-value topic (one balance per user and checkpoint): wait for the balances, not a count.
    long expected = credited;
    io.redpacket.kafka.Await.until("the wallets holding every credited cent", Duration.ofMinutes(2),
        () -> AuditRunner.latest(stack.bootstrap(), Topics.WALLETS, Codecs.WALLET, Wallet::getUserId).values().stream()
            .mapToLong(Wallet::getBalanceCents).sum() == expected);
    SettlementAudit.Report report = AuditRunner.settlement(stack.bootstrap(), "", "");
    assertThat(report.clean()).as(report.render()).isTrue();
    audit = report;
  }

  /** The committed shake outcomes with this code. */
  long outcomes(OutcomeCode code) {
    long[] n = {0};
    TopicReader.forEach(stack.bootstrap(), Topics.SHAKE_OUTCOMES, true, r -> {
      if (Codecs.OUTCOME.decode(r.value()).getOutcome() == code) {
        n[0]++;
      }
    });
    return n[0];
  }

  /** Flink's reporter (every port of its range that answers) and the ingest, scraped once. */
  synchronized Map<String, List<String[]>> scraped() throws Exception {
    if (scraped != null) {
      return scraped;
    }
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
    Map<String, List<String[]>> samples = new TreeMap<>();
    for (String body : bodies) {
      for (String line : body.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (!line.startsWith("#") && m.find()) {
          samples.computeIfAbsent(m.group(1), k -> new ArrayList<>())
              .add(new String[] {m.group(3) == null ? "" : m.group(3), m.group(4)});
        }
      }
    }
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "scraped-metrics.txt"), samples.keySet());
    Files.write(Path.of("target", "scraped-samples.txt"), bodies);
    scraped = samples;
    return scraped;
  }

  /** The sum over subtasks of the samples of a metric whose labels contain every given fragment. */
  double sum(String name, String... labelFragments) throws Exception {
    assertThat(scraped()).as("exported: " + name).containsKey(name);
    return scraped().get(name).stream().filter(s -> Stream.of(labelFragments).allMatch(s[0]::contains))
        .mapToDouble(s -> Double.parseDouble(s[1])).sum();
  }
}
