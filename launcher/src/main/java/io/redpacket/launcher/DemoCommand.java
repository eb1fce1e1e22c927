package io.redpacket.launcher;

import io.redpacket.cluster.Cluster;
import io.redpacket.cluster.ClusterDemo;
import io.redpacket.cluster.Drill;
import io.redpacket.cluster.CalmRun;
import io.redpacket.cluster.LocalStack;
import io.redpacket.cluster.DemoStack;
import io.redpacket.cluster.IngestReady;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.live.LiveServer;
import io.redpacket.core.SettlementAudit;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.GrantFollower;
import io.redpacket.simulator.HttpOpens;
import io.redpacket.simulator.HttpShares;
import io.redpacket.simulator.SharePlan;
import io.redpacket.simulator.SocialGraph;
import io.redpacket.core.SharingAudit;
import java.util.List;
import io.redpacket.simulator.OpenPlan;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.HttpWave;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.simulator.ShakeProducer;
import io.redpacket.simulator.WavePlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the local stack and the HTTP ingest, create a pool, run a wave of shakes from virtual users"
        + " with live progress, audit it, stop."
        + " Exits 0 only if every invariant holds.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--shakes", defaultValue = "200000", description = "shakes in the wave (default: ${DEFAULT-VALUE})")
  long shakes;

  @Option(names = "--users", defaultValue = "80000", description = "distinct users (default: ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--packets", defaultValue = "8000", description = "packets in the pool (default: ${DEFAULT-VALUE})")
  int packets;

  @Option(names = "--budget-cents", defaultValue = "8000000", description = "the pool's budget in cents (default: ${DEFAULT-VALUE}, i.e. 80,000.00)")
  long budgetCents;

  @Option(names = "--sets", defaultValue = "50", description = "sets of the pool (default: ${DEFAULT-VALUE})")
  int sets;

  @Option(names = "--rate", defaultValue = "40000", description = "with --direct: target shakes per second, 0 for unthrottled (default: ${DEFAULT-VALUE})")
  long rate;

  @Option(names = "--pacing", description = "release each set's packets evenly over a 60 s window")
  boolean pacing;

  @Option(names = "--partitions", defaultValue = "8", description = "partitions per topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of the job (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--ui-port", defaultValue = "8081", description = "Flink web UI port (default: ${DEFAULT-VALUE})")
  int uiPort;

  @Option(names = "--data-dir", defaultValue = ".redpacket/demo", description = "where Kafka and Flink keep data; deleted afterwards unless --keep (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--keep", description = "after the audit, keep the stack running (and its data) until Ctrl-C")
  boolean keep;

  @Option(names = "--direct", description = "write the wave straight to Kafka (as an upstream system would) instead of"
      + " through the HTTP ingest; far faster on one machine, e.g. --direct --shakes 2000000 --users 500000 --packets 100000")
  boolean direct;

  @Option(names = "--admission", defaultValue = "20000", description = "shakes/s the ingest forwards to the backend (default: ${DEFAULT-VALUE})")
  int admission;

  @Option(names = "--concurrency", defaultValue = "256", description = "HTTP shakes in flight at once (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--expiry-seconds", defaultValue = "45", description = "refund grants left unopened this long after"
      + " they were granted (default: ${DEFAULT-VALUE}; 24 h in production)")
  long expirySeconds;

  @Option(names = "--open-delay-ms", defaultValue = "3000", description = "winners open within this delay after they"
      + " learn of their grant (default: ${DEFAULT-VALUE})")
  long openDelayMs;

  @Option(names = "--share-cents", defaultValue = "600", description = "each opened packet may share a group packet"
      + " of this many cents, 0 for no sharing (default: ${DEFAULT-VALUE})")
  long shareCents;

  @Option(names = "--share-pieces", defaultValue = "5", description = "pieces of each group packet (default: ${DEFAULT-VALUE})")
  int sharePieces;

  @Option(names = "--share-expiry-seconds", defaultValue = "30", description = "a share is open for claims this long,"
      + " then the rest is refunded (default: ${DEFAULT-VALUE}; 24 h in production)")
  long shareExpirySeconds;

  @Option(names = "--live-port", defaultValue = "8090", description = "port of the live page, 0 for any free one"
      + " (default: ${DEFAULT-VALUE})")
  int livePort;

  @Option(names = "--cluster", description = "run the wave on ./redpacket cluster (started with cluster up) instead of"
      + " the embedded stack: its own topics and its own deployment of the three jobs, cancelled at the end")
  boolean onCluster;

  @Option(names = "--cluster-dir", defaultValue = ".redpacket/cluster", description = "with --cluster: the cluster's"
      + " folder (default: ${DEFAULT-VALUE})")
  Path clusterDir;

  @Option(names = "--chaos", description = "with --cluster: during the wave kill -9 a TaskManager three times and a Kafka"
      + " broker once, bringing each back; then check that the grants equal a calm run's on the same input")
  boolean chaos;

  @Option(names = "--rescale", split = ",", paramLabel = "P", description = "with --cluster: during the wave stop the"
      + " jobs with savepoints and resume them at each parallelism in turn, e.g. --rescale 4,2; then compare with a calm run")
  List<Integer> rescale;

  @Override
  public Integer call() throws Exception {
    if ((chaos || rescale != null) && !onCluster) {
      throw new IllegalArgumentException("--chaos and --rescale work on the cluster: add --cluster (after ./redpacket cluster up)");
    }
    if (chaos && rescale != null) {
      throw new IllegalArgumentException("--chaos and --rescale are two drills: run one at a time");
    }
    if (rescale != null) {
      for (int p : rescale) {
        Checks.range("--rescale", p, 1, 128);
      }
    }
    Checks.range("--shakes", shakes, 1, 1_000_000_000L);
    Checks.range("--expiry-seconds", expirySeconds, 1, 86_400);
    Checks.range("--open-delay-ms", openDelayMs, 0, 3_600_000);
    Checks.range("--share-expiry-seconds", shareExpirySeconds, 1, 86_400);
    Checks.range("--users", users, 1, 1_000_000_000L);
    Checks.range("--rate", rate, 0, 10_000_000L);
    Checks.range("--partitions", partitions, 1, 256);
    Checks.range("--parallelism", parallelism, 1, 64);
    long t0 = System.nanoTime();
    try (DemoStack stack = stack()) {
      String prefix = stack.topicPrefix();
      long now = System.currentTimeMillis();
      PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("new-year-eve-" + (now / 1000) % 100000)
          .setSponsor("demo-sponsor").setTotalCents(budgetCents).setTotalCount(packets).setSets(sets)
          .setMinCents(1).setMaxCents(PoolCommand.defaultMax(budgetCents, packets, 1))
          .setStartMillis(now).setEndMillis(now + (pacing ? 60_000 : 3_600_000)).setSplitMode(SplitMode.LUCKY)
          .setPerUserLimit(1).setPacing(pacing).setCreatedMillis(now)
          .setShareCents(shareCents).setSharePieces(shareCents == 0 ? 0 : sharePieces).build();
      try {
        PoolWriter.create(stack.bootstrap(), Topics.named(prefix, Topics.POOLS), pool);
      } catch (PoolWriter.RefusedException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      System.out.print(PoolCommand.describe(pool));
      System.out.printf("wave: %,d shakes from %,d users at %s%n", shakes, users, rate == 0 ? "full speed" : String.format("%,d/s", rate));

      LiveServer live = LiveServer.start(stack.bootstrap(), prefix, livePort);
      System.out.println("live page of the wave: " + live.url() + " (numbers and charts update as it happens)");
      AtomicLong offered = new AtomicLong();
      long forwarded;
      Drill drill = null;
      String secret = "demo-" + java.util.UUID.randomUUID();
      IngestConfig config = new IngestConfig(0, stack.bootstrap(), prefix, secret, "demo-admin-" + java.util.UUID.randomUUID(),
          Duration.ofSeconds(1), admission, 100, 20_000, 4096);
      try (IngestServer ingest = IngestServer.start(config)) {
        IngestReady.await(ingest.port());
        String url = "http://127.0.0.1:" + ingest.port();
        // Winners open their packets as they learn of them (most do, some twice, some never; some try others').
        // Owners wait about a checkpoint for an answer: the clients need many connections, not a queue behind 64.
        HttpOpens opens = new HttpOpens(url, secret, 512, Duration.ofSeconds(60));
        OpenPlan openPlan = new OpenPlan(OpenPlan.Mix.standard(openDelayMs), 2016);
        java.util.SplittableRandom someone = new java.util.SplittableRandom(7);
        // Once credited, some owners share their group packet and their friends claim the pieces.
        HttpShares shares = new HttpShares(url, secret, 512, Duration.ofMinutes(2));
        SharePlan sharePlan = new SharePlan(SharePlan.Mix.standard(2000), new SocialGraph(Math.max(2, users), 20, 2017), 2018);
        java.util.Map<String, io.redpacket.avro.Grant> granted = new java.util.concurrent.ConcurrentHashMap<>();
        SimulatorMetrics clients = new SimulatorMetrics(offered, opens, shares);
        live.serveMetrics(clients::scrape);
        opens.onCredited(a -> {
          io.redpacket.avro.Grant g = granted.remove(a.grantId());
          if (g != null) {
            List<SharePlan.Action> actions;
            synchronized (sharePlan) {
              actions = sharePlan.actionsFor(g);
            }
            shares.submit(actions);
          }
        });
        try (GrantFollower winners = new GrantFollower(stack.bootstrap(), Topics.named(prefix, Topics.GRANTS), g -> {
          granted.put(g.getGrantId(), g);
          openPlan.actionsFor(g, "u" + someone.nextInt(users)).forEach(a -> opens.submit(a, a.atMillis()));
        })) {
          try (Progress progress = new Progress(stack.bootstrap(), prefix, pool, offered::get, System.out)) {
            drill = drill(stack);
            if (!direct) {
              forwarded = overHttp(url, secret, stack.bootstrap(), prefix, pool, offered, clients);
            } else {
              ShakeProducer.Result sent = ShakeProducer.run(stack.bootstrap(), Topics.named(prefix, Topics.SHAKES), pool,
                  WavePlan.standard(pool, users, 2015), shakes, rate, Duration.ofMinutes(10), offered::set);
              forwarded = sent.acked();
              System.out.printf("wave sent: %,d shakes acknowledged by Kafka in %.1f s (%,.0f/s)%n",
                  sent.acked(), sent.elapsed().toMillis() / 1000.0, sent.perSecond());
            }
            if (drill != null) {
              System.out.println("wave sent; waiting for the drill to finish ...");
              if (!drill.await(Duration.ofMinutes(12))) {
                return 1;
              }
              System.out.println("drill done: " + String.join(", ", drill.done()));
            }
            System.out.printf("waiting for the outcomes of the %,d shakes on Kafka to be committed ...%n", forwarded);
            if (!progress.awaitOutcomes(forwarded, Duration.ofMinutes(3))) {
              System.err.printf("only %,d of %,d outcomes were committed within 3 minutes: is the job running? see %s%n",
                  progress.committedOutcomes(), forwarded, stack.webUi());
              return 1;
            }
          }
          System.out.printf("all %,d outcomes committed, %.1f s after start%n", forwarded, (System.nanoTime() - t0) / 1e9);
          if (!awaitSettlement(stack, winners, opens, shares)) {
            return 1;
          }
          System.out.println("opens through the ingest (" + url + "):");
          System.out.print(opens.result().render());
          System.out.println("shares and claims through the ingest (sharing is shed first under load; clients retry):");
          System.out.print(shares.result().render());
          long cut = opens.result().cut.get() + shares.result().cut.get();
          if (cut > 0) {
            System.out.printf("%,d requests were still in progress on the client (waiting for a connection, an"
                + " answer or a credit) %d s past their timeout and were given up (counted as timed out); the audit"
                + " checks what the backend answered%n", cut,
                io.redpacket.simulator.HttpShares.GRACE_SECONDS);
          }
        } finally {
          opens.close();
          shares.close();
        }
      }
      System.out.println("auditing what was committed (read_committed) ...");
      Audit.Report report = AuditRunner.run(stack.bootstrap(), prefix);
      System.out.print(report.render());
      SettlementAudit.Report settled = AuditRunner.settlement(stack.bootstrap(), prefix, prefix);
      System.out.print(settled.render());
      SharingAudit.Report sharing = AuditRunner.sharing(stack.bootstrap(), prefix, prefix, prefix);
      System.out.print(sharing.render());
      boolean clean = report.clean() && settled.clean() && sharing.clean();
      System.out.println(clean ? "AUDIT CLEAN: allocation, settlement and sharing, to the cent"
          : "AUDIT FAILED: see the checks above");
      if (drill != null) {
        ((ClusterDemo) stack).cancelJobs(); // done; the calm run needs their slots
        CalmRun.Result calm = CalmRun.compare(((ClusterDemo) stack).cluster, prefix, parallelism, System.out);
        if (calm.equal()) {
          System.out.printf("GRANTS EQUAL: the %,d grants of this wave (%s) are byte for byte those of the calm run"
              + " on the same input%n", calm.grants(), String.join(", ", drill.done()));
        } else {
          System.out.printf("GRANTS DIFFER from the calm run: %,d here, %,d there; first differing ids %s%n",
              calm.grants(), calm.calmGrants(), calm.differences());
          clean = false;
        }
      }
      if (clean && stack instanceof ClusterDemo c) {
        c.auditedClean();
      }
      System.out.printf("demo took %.1f s%n", (System.nanoTime() - t0) / 1e9);
      if (keep) {
        System.out.println("--keep: the stack stays up. Live page " + live.url() + ", Kafka " + stack.bootstrap()
            + ", Flink web UI " + stack.webUi() + ". Ctrl-C to stop.");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
      live.close();
      return clean ? 0 : 1;
    }
  }

  private DemoStack stack() throws Exception {
    Duration expiry = Duration.ofSeconds(expirySeconds);
    Duration shareExpiry = Duration.ofSeconds(shareExpirySeconds);
    if (!onCluster) {
      return LocalStack.start(dataDir, keep, partitions, parallelism, uiPort, Duration.ofSeconds(1), expiry, shareExpiry,
          System.out);
    }
    Cluster cluster = Cluster.open(clusterDir, null);
    int widest = Math.max(parallelism, rescale == null ? 0 : rescale.stream().mapToInt(Integer::intValue).max().orElse(0));
    return ClusterDemo.start(cluster, parallelism, 3 * widest, expiry, shareExpiry, keep, System.out);
  }

  /** The chaos or rescale drill on the cluster, started as the wave starts; null when none was asked for. */
  private Drill drill(DemoStack stack) {
    if (!(stack instanceof ClusterDemo c) || (!chaos && rescale == null)) {
      return null;
    }
    Drill d = chaos ? Drill.chaos(c.cluster, c.jobs, Duration.ofSeconds(5), System.out)
        : Drill.rescale(c.cluster, c.jobs, rescale, Duration.ofSeconds(5), System.out);
    System.out.println(chaos ? "drill: kill -9 taskmanager-1, taskmanager-2, kafka-2, taskmanager-1, each brought back,"
        + " while the wave runs" : "drill: stop with savepoints and resume at parallelism " + rescale + " while the wave runs");
    return d.start();
  }

  /**
   * Waits, bounded, until every grant was seen by its winner, every open answered, and every
   * grant settled: credited, or refunded at expiry (two ledger entries per grant).
   */
  private boolean awaitSettlement(DemoStack stack, GrantFollower winners, HttpOpens opens, HttpShares shares) {
    long grants = TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.GRANTS), true, r -> {});
    Duration bound = Duration.ofSeconds(Math.max(expirySeconds, shareExpirySeconds)).plus(Duration.ofMillis(openDelayMs))
        .plusMinutes(3);
    System.out.printf("settling %,d grants: winners open theirs, the rest are refunded %d s after they were granted;"
        + " shares are claimed, or refunded %d s after they were made ...%n", grants, expirySeconds, shareExpirySeconds);
    long[] lastRead = {0};
    long[] entries = {0};
    long[] moves = {0};
    long[] openShares = {0};
    try {
      io.redpacket.kafka.Await.until("every grant and share settled", bound, () -> {
        // Counting the ledger reads it from the start: once every 2 s, with a progress line, is enough.
        if (System.nanoTime() - lastRead[0] > 2_000_000_000L) {
          lastRead[0] = System.nanoTime();
          entries[0] = TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.LEDGER), true, r -> {});
          moves[0] = TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.SHARE_GRANTS), true, r -> {});
          java.util.Map<String, io.redpacket.avro.SharePhase> phases = new java.util.HashMap<>();
          TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.SHARE_STATES), true, r -> {
            var st = io.redpacket.codec.Codecs.SHARE_STATE.decode(r.value());
            phases.put(st.getShareId(), st.getPhase());
          });
          openShares[0] = phases.values().stream().filter(p -> p == io.redpacket.avro.SharePhase.OPEN).count();
          System.out.printf("  grants seen by winners %,d/%,d | opens waiting %,d | share requests waiting %,d"
                  + " | shares open %,d | ledger entries %,d/%,d%n", winners.seen(), grants, opens.pending(),
              shares.pending(), openShares[0], entries[0], 2 * grants + moves[0]);
        }
        return winners.seen() >= grants && opens.pending() == 0 && shares.pending() == 0 && openShares[0] == 0
            && entries[0] >= 2 * grants + moves[0];
      });
      return true;
    } catch (RuntimeException e) {
      System.err.println("settlement did not finish within " + bound.toSeconds() + " s (" + e.getMessage()
          + "): is the settlement job running? see " + stack.webUi());
      return false;
    }
  }

  /** Sends the wave through the ingest; returns how many shakes it forwarded to Kafka. */
  private long overHttp(String url, String secret, String bootstrap, String prefix, PoolDefinition pool, AtomicLong offered,
      SimulatorMetrics clients) throws Exception {
    System.out.printf("ingest on %s: admission %,d/s; %,d virtual users shaking, %d at a time%n",
        url, admission, users, concurrency);
    HttpWave wave = new HttpWave(url, secret, concurrency, Duration.ofSeconds(10));
    try {
      HttpWave.Result r = wave.run(WavePlan.standard(pool, users, 2015), shakes, concurrency, x -> {
        offered.set(x.sent.get());
        clients.wave.set(x);
      });
      clients.wave.set(r);
      offered.set(r.sent.get());
      System.out.printf("wave over HTTP: %,d shakes in %.1f s (%,.0f/s), shake to outcome:%n", r.sent.get(),
          r.elapsed.toMillis() / 1000.0, r.sent.get() / Math.max(0.001, r.elapsed.toMillis() / 1000.0));
      System.out.print(r.render());
      if (r.timedOut.get() > 0 || r.gaveUp.get() > 0) {
        System.out.printf("%,d shakes timed out and %,d gave up after retries: the clients say so, the audit checks"
            + " the ones Kafka accepted%n", r.timedOut.get(), r.gaveUp.get());
      }
    } finally {
      wave.close();
    }
    return TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.SHAKES), true, rec -> {});
  }
}
