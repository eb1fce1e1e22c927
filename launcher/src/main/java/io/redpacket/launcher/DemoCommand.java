package io.redpacket.launcher;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.Checks;
import io.redpacket.cluster.Cluster;
import io.redpacket.cluster.ClusterDemo;
import io.redpacket.cluster.DemoStack;
import io.redpacket.cluster.Drill;
import io.redpacket.cluster.IngestReady;
import io.redpacket.cluster.LocalStack;
import io.redpacket.cluster.PipelineJobs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.SharingAudit;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicReader;
import io.redpacket.live.LiveServer;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.GrantFollower;
import io.redpacket.simulator.ShakeProducer;
import io.redpacket.simulator.WavePlan;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the local stack and the HTTP ingest, create a pool, run a wave of shakes from virtual users"
        + " with live progress, audit it, stop."
        + " Exits 0 only if every invariant holds.")
final class DemoCommand implements Callable<Integer> {
  @Mixin
  WaveOptions wave = new WaveOptions(80_000, 40_000, 256);

  @Option(names = "--packets", defaultValue = "8000", description = "packets in the pool (default: ${DEFAULT-VALUE})")
  int packets;

  @Option(names = "--budget-cents", defaultValue = "8000000", description = "the pool's budget in cents (default: ${DEFAULT-VALUE}, i.e. 80,000.00)")
  long budgetCents;

  @Mixin
  PoolShapeOptions shape = new PoolShapeOptions(600, 5);

  @Option(names = "--pacing", description = "release each set's packets evenly over a 60 s window")
  boolean pacing;

  @Mixin
  PipelineOptions jobs = new PipelineOptions(45, 30, 86_400);

  @Mixin
  EmbeddedStackOptions local = new EmbeddedStackOptions(".redpacket/demo");

  @Option(names = "--keep", description = "after the audit, keep the stack running (and its data) until Ctrl-C;"
      + " otherwise the data is deleted")
  boolean keep;

  @Option(names = "--direct", description = "write the wave straight to Kafka (as an upstream system would) instead of"
      + " through the HTTP ingest; far faster on one machine, e.g. --direct --shakes 2000000 --users 500000 --packets 100000")
  boolean direct;

  @Option(names = "--admission", defaultValue = "20000", description = "shakes/s the ingest forwards to the backend (default: ${DEFAULT-VALUE})")
  int admission;

  @Option(names = "--open-delay-ms", defaultValue = "3000", description = "winners open within this delay after they"
      + " learn of their grant (default: ${DEFAULT-VALUE})")
  long openDelayMs;

  @Option(names = "--live-port", defaultValue = "8090", description = "port of the live page, 0 for any free one"
      + " (default: ${DEFAULT-VALUE})")
  int livePort;

  @Option(names = "--no-policy-drill", description = "over HTTP, leave the client policy to the load alone; by default"
      + " once 15%% of the wave's shakes are made, the operator holds it at level 2 for 10 s, the users shaking on at"
      + " the pace the ingest took at level 0 until 10 s after its release")
  boolean noPolicyDrill;

  @Mixin
  DemoClusterOptions cluster = new DemoClusterOptions();

  /** How the wave went: whether it reached its end (all answered and settled), and the drill played during it. */
  private record WaveRun(boolean completed, Drill drill) {}

  /** Shakes per second of the wave, as its senders saw it. */
  private double waveRate;

  /** The client-policy drill's lines for the summary (none with --direct or --no-policy-drill). */
  private final java.util.List<String> policySummary = new java.util.ArrayList<>();

  /** The chaos or rescale drill on the cluster, and what the simulated clients waited during it. */
  private DemoDrills drills;

  @Override
  public Integer call() throws Exception {
    checkFlags();
    drills = new DemoDrills(cluster, jobs.parallelism);
    long t0 = System.nanoTime();
    try (DemoStack stack = stack()) {
      PoolDefinition pool = pool();
      if (!create(stack, pool)) {
        return 2;
      }
      LiveServer live = LiveServer.start(stack.bootstrap(), stack.topicPrefix(), livePort);
      System.out.println("live page of the wave: " + live.url() + " (numbers and charts update as it happens)");
      WaveRun run = runWave(stack, pool, live, t0);
      if (!run.completed()) {
        drills.printRecoveries(run.drill());
        return 1;
      }
      boolean clean = audit(stack);
      if (run.drill() != null) {
        clean &= drills.sameAsCalmRun((ClusterDemo) stack, run.drill());
      }
      if (clean && stack instanceof ClusterDemo c) {
        c.auditedClean();
      }
      System.out.printf("demo took %.1f s%n", (System.nanoTime() - t0) / 1e9);
      drills.printRecoveries(run.drill());
      if (keep) {
        holdUntilCtrlC(stack, live);
      }
      live.close();
      return clean ? 0 : 1;
    }
  }

  private void checkFlags() {
    cluster.check();
    wave.check();
    Checks.range("--open-delay-ms", openDelayMs, 0, 3_600_000);
    jobs.check();
    local.check();
  }

  /** The demo's pool: open for an hour (a minute when paced), packets of at most twenty times the average. */
  private PoolDefinition pool() {
    long now = System.currentTimeMillis();
    return PoolDefinition.newBuilder().setPoolId("new-year-eve-" + (now / 1000) % 100000)
        .setSponsor("demo-sponsor").setTotalCents(budgetCents).setTotalCount(packets).setSets(shape.sets)
        .setMinCents(1).setMaxCents(PoolCommand.defaultMax(budgetCents, packets, 1))
        .setStartMillis(now).setEndMillis(now + (pacing ? 60_000 : 3_600_000)).setSplitMode(SplitMode.LUCKY)
        .setPerUserLimit(1).setPacing(pacing).setCreatedMillis(now)
        .setShareCents(shape.shareCents).setSharePieces(shape.shareCents == 0 ? 0 : shape.sharePieces).build();
  }

  /** Writes the pool; false (with the reason printed) if it is refused. */
  private boolean create(DemoStack stack, PoolDefinition pool) {
    try {
      PoolWriter.create(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.POOLS), pool);
    } catch (PoolWriter.RefusedException e) {
      System.err.println(e.getMessage());
      return false;
    }
    System.out.print(PoolCommand.describe(pool));
    System.out.printf("wave: %,d shakes from %,d users at %s%n", wave.shakes, wave.users,
        wave.rate == 0 ? "full speed" : String.format("%,d/s", wave.rate));
    return true;
  }

  /**
   * The wave through a fresh ingest (or straight to Kafka), with its winners opening and sharing, a
   * drill if one was asked for, until every outcome is committed and every grant settled.
   */
  private WaveRun runWave(DemoStack stack, PoolDefinition pool, LiveServer live, long t0) throws Exception {
    String prefix = stack.topicPrefix();
    AtomicLong offered = new AtomicLong();
    String secret = "demo-" + UUID.randomUUID();
    IngestConfig config = new IngestConfig(0, stack.bootstrap(), prefix, secret, "demo-admin-" + UUID.randomUUID(),
        Duration.ofSeconds(1), admission, 100, 20_000, 4096).withGrantExpiry(Duration.ofSeconds(jobs.expirySeconds));
    try (IngestServer ingest = IngestServer.start(config)) {
      IngestReady.await(ingest.port());
      String url = "http://127.0.0.1:" + ingest.port();
      try (DemoClients clients = new DemoClients(url, secret, wave.users, openDelayMs, offered);
          GrantFollower winners = clients.followGrants(stack.bootstrap(), prefix, jobs.expirySeconds)) {
        live.serveMetrics(clients.metrics::scrape);
        Drill drill;
        long forwarded;
        clients.opens.recordWaits(drills.waits);
        clients.shares.recordWaits(drills.waits);
        try (Progress progress = new Progress(stack.bootstrap(), prefix, pool, offered::get, System.out, drills.waits)) {
          drill = drills.start(stack);
          forwarded = direct ? sendDirect(stack, pool, offered)
              : overHttp(url, secret, stack, pool, offered, clients.metrics, ingest, live);
          if (!DemoDrills.done(drill) || !outcomesCommitted(stack, progress, forwarded)) {
            return new WaveRun(false, drill);
          }
        }
        System.out.printf("all %,d outcomes committed, %.1f s after start%n", forwarded, (System.nanoTime() - t0) / 1e9);
        if (!clients.awaitSettled(stack, winners, jobs.expirySeconds, jobs.shareExpirySeconds)) {
          return new WaveRun(false, drill);
        }
        clients.printResults(url);
        clients.printSummary(waveRate);
        policySummary.forEach(System.out::println);
        return new WaveRun(true, drill);
      }
    }
  }

  /** Writes the wave straight to Kafka; returns how many shakes it acknowledged. */
  private long sendDirect(DemoStack stack, PoolDefinition pool, AtomicLong offered) {
    ShakeProducer.Result sent = ShakeProducer.run(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.SHAKES), pool,
        WavePlan.standard(pool, wave.users, 2015), wave.shakes, wave.rate, Duration.ofMinutes(10), offered::set);
    waveRate = sent.perSecond();
    System.out.printf("wave sent: %,d shakes acknowledged by Kafka in %.1f s (%,.0f/s)%n",
        sent.acked(), sent.elapsed().toMillis() / 1000.0, sent.perSecond());
    return sent.acked();
  }

  private static boolean outcomesCommitted(DemoStack stack, Progress progress, long forwarded) throws InterruptedException {
    System.out.printf("waiting for the outcomes of the %,d shakes on Kafka to be committed ...%n", forwarded);
    if (!progress.awaitOutcomes(forwarded, Duration.ofMinutes(3))) {
      System.err.printf("only %,d of %,d outcomes were committed within 3 minutes: is the job running? see %s%n",
          progress.committedOutcomes(), forwarded, stack.webUi());
      return false;
    }
    return true;
  }

  /** Audits allocation, settlement and sharing on what was committed; true if all three are clean. */
  private static boolean audit(DemoStack stack) {
    String prefix = stack.topicPrefix();
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
    return clean;
  }

  private static void holdUntilCtrlC(DemoStack stack, LiveServer live) throws InterruptedException {
    System.out.println("--keep: the stack stays up. Live page " + live.url() + ", Kafka " + stack.bootstrap()
        + ", Flink web UI " + stack.webUi() + ". Ctrl-C to stop.");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
  }

  /** Sends the wave through the ingest; returns how many shakes it forwarded to Kafka. */
  private long overHttp(String url, String secret, DemoStack stack, PoolDefinition pool, AtomicLong offered,
      SimulatorMetrics clients, IngestServer ingest, LiveServer live) throws Exception {
    System.out.printf("ingest on %s: admission %,d/s; %,d virtual users shaking, %d at a time%n",
        url, admission, wave.users, wave.concurrency);
    DemoHttpWave.Ran ran = new DemoHttpWave(url, secret, wave, !noPolicyDrill)
        .run(WavePlan.standard(pool, wave.users, 2015), offered, clients, ingest, live);
    waveRate = ran.rate();
    policySummary.addAll(ran.summary());
    return TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.SHAKES), true, rec -> {});
  }

  private DemoStack stack() throws Exception {
    Duration expiry = jobs.expiry();
    Duration shareExpiry = jobs.shareExpiry();
    if (!cluster.onCluster) {
      return LocalStack.start(local.dataDir, keep, jobs.partitions, jobs.parallelism, local.uiPort, Duration.ofSeconds(1), expiry, shareExpiry,
          System.out);
    }
    int widest = Math.max(jobs.parallelism, cluster.widestParallelism());
    return ClusterDemo.start(Cluster.open(cluster.clusterDir, null), jobs.parallelism, PipelineJobs.slotsFor(widest), expiry, shareExpiry,
        keep, System.out);
  }


}
