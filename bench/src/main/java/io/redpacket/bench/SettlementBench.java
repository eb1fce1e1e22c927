package io.redpacket.bench;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.Wallet;
import io.redpacket.cluster.Checks;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.InputRules;
import io.redpacket.core.Settlement;
import io.redpacket.core.Sharing;
import io.redpacket.core.Table;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.Outputs;
import io.redpacket.jobs.common.Route;
import io.redpacket.jobs.common.Routed;
import io.redpacket.jobs.common.Routes;
import io.redpacket.jobs.common.Topology;
import io.redpacket.jobs.settlement.BookShareFunction;
import io.redpacket.jobs.settlement.SettleFunction;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.settlement.SettlementSettings;
import io.redpacket.jobs.settlement.WalletFunction;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.OpenPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "settlement", mixinStandardHelpOptions = true,
    description = "The settlement job (RocksDB, exactly-once) against a pass-through job with the same sources and"
        + " ledger sink but no state, in one run; then the delay from open to credited at a steady rate of opens.")
public final class SettlementBench implements Callable<Integer> {
  @Option(names = "--grants", defaultValue = "1000000", description = "grants per run; at least 10 s of the faster"
      + " job's output each (default: ${DEFAULT-VALUE})")
  int grants;

  @Mixin
  BenchSupport.Rounds rounds = new BenchSupport.Rounds(3);

  @Option(names = "--skip-delay", description = "skip the open-to-credited delay phase")
  boolean skipDelay;

  @Option(names = "--open-rate", defaultValue = "2000", description = "opens per second in the delay phase (default: ${DEFAULT-VALUE})")
  int openRate;

  @Override
  public Integer call() throws Exception {
    Checks.range("--grants", grants, 1000, 50_000_000);
    rounds.check();
    Checks.range("--open-rate", openRate, 1, 1_000_000);
    return BenchSupport.onOwnBroker("settlement", (dir, bootstrap) -> {
      TopicAdmin.ensure(bootstrap, List.of(Topics.GRANTS, Topics.OPENS, Topics.SHARE_GRANTS), List.of(), 8);
      Written input = writeInput(bootstrap, grants);
      long inputs = input.inputs();
      java.util.Set<String> crediting = input.crediting();
      List<BenchSupport.Run> runs = new ArrayList<>();
      for (int round : rounds.all()) {
        for (String job : rounds.order(round, "settlement")) {
          String out = job + "-" + (round < 1 ? "w" + (1 - round) : String.valueOf(round)) + "-";
          TopicAdmin.ensure(bootstrap, List.of(Topics.named(out, Topics.LEDGER), Topics.named(out, Topics.WALLETS),
              Topics.named(out, Topics.GRANT_STATES), Topics.named(out, Topics.OPEN_RESULTS),
              Topics.named(out, Topics.DEAD_LETTERS)), List.of(), 8);
          System.out.printf("%s: %s ...%n", round < 1 ? "warm-up" : "round " + round, job);
          long expected = input.grants() + crediting.size();
          BenchSupport.OutputClock clock = new BenchSupport.OutputClock(bootstrap, Topics.named(out, Topics.LEDGER), expected);
          StreamExecutionEnvironment env = env(dir.resolve(out));
          define(env, job, bootstrap, "", out, true, Duration.ofHours(24), crediting);
          ThreadCpu cpu = BenchSupport.cpu();
          env.execute("bench " + job);
          cpu.stop();
          // The clock reads as produced: it sees at least what was committed.
          double seconds = clock.awaitSeconds(TopicReader.forEach(bootstrap, Topics.named(out, Topics.LEDGER), true, r -> {}));
          var used = cpu.between(clock.firstNanos(), clock.lastNanos());
          String outputs = String.format("%,d ledger, %,d grant states, %,d wallets, %,d open results",
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.LEDGER), true, r -> {}),
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.GRANT_STATES), true, r -> {}),
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.WALLETS), true, r -> {}),
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.OPEN_RESULTS), true, r -> {}));
          BenchSupport.Run run = new BenchSupport.Run(job, round, inputs, seconds, outputs, used);
          System.out.printf("  %,.0f grants and opens/s (%s)%n", run.perSecond(), outputs);
          runs.add(run);
        }
      }
      System.out.println("Both jobs: bounded sources of grants, opens and share grants, keyBy(grant), keyBy(user) to the"
          + " wallets, keyBy(share), the same sinks (one exactly-once sink per task that writes, and the dead letters'), the"
          + " same topics with the same records per input (grant states and wallets: the job's last value per checkpoint); RocksDB,"
          + " checkpoints every second, parallelism " + rounds.parallelism + "; rates from the first to the last ledger entry.");
      double median = BenchSupport.report("settlement", "grants and opens", runs, rounds);
      if (skipDelay) {
        return 0;
      }

      // Delay: a running settlement job, grants already reserved, opens at a steady rate.
      String in = "delay-";
      String out = "delay-out-";
      TopicAdmin.ensure(bootstrap, List.of(Topics.named(in, Topics.GRANTS), Topics.named(in, Topics.OPENS),
          Topics.named(in, Topics.SHARE_GRANTS), Topics.named(out, Topics.LEDGER), Topics.named(out, Topics.WALLETS), Topics.named(out, Topics.GRANT_STATES),
          Topics.named(out, Topics.OPEN_RESULTS), Topics.named(out, Topics.DEAD_LETTERS)), List.of(), 8);
      int delayGrants = Math.min(20_000, openRate * 10);
      List<Grant> delayed = grants(delayGrants, System.currentTimeMillis(), "delay");
      StreamExecutionEnvironment env = env(dir.resolve("delay"));
      define(env, "settlement", bootstrap, in, out, false, Duration.ofHours(24), java.util.Set.of());
      JobClient job = env.executeAsync("bench settlement delay");
      try {
        write(bootstrap, Topics.named(in, Topics.GRANTS), null, delayed, List.of(), 0, 0);
        TopicReader.awaitCommitted(bootstrap, Topics.named(out, Topics.GRANT_STATES), delayGrants, Duration.ofMinutes(2));
        System.out.printf("delay: %,d opens at %,d/s to a running settlement job (checkpoints every second) ...%n",
            delayGrants, openRate);
        Histogram delay = new Histogram(3);
        Thread watcher = new Thread(() -> TopicReader.forEachUntil(bootstrap, Topics.named(out, Topics.GRANT_STATES),
            delayGrants * 2L, Duration.ofMinutes(2), r -> {
              var s = Codecs.GRANT_STATE.decode(r.value());
              if (s.getState() == GrantPhase.CREDITED && s.getOpenedMillis() != null) {
                delay.recordValue(Math.max(0, System.currentTimeMillis() - s.getOpenedMillis()));
              }
            }), "credited-watcher");
        watcher.start();
        List<OpenPlan.Action> owners = delayed.stream()
            .map(g -> new OpenPlan.Action(OpenPlan.Kind.OWNER, "d-" + g.getGrantId(), g.getGrantId(), g.getUserId(), 0)).toList();
        write(bootstrap, null, Topics.named(in, Topics.OPENS), List.of(), owners, 0, openRate);
        watcher.join(Duration.ofMinutes(3).toMillis());
        Table d = new Table("opens", "credited seen", "open to credited p50 ms", "p90 ms", "p99 ms", "max ms");
        d.row(String.format("%,d", owners.size()), String.format("%,d", delay.getTotalCount()),
            delay.getValueAtPercentile(50), delay.getValueAtPercentile(90), delay.getValueAtPercentile(99), delay.getMaxValue());
        System.out.print(d.render());
        System.out.println("Open to credited: from the open's time stamp to the CREDITED state read with read_committed,"
            + " so it includes the wait for the checkpoint that commits it (interval 1 s).");
        System.out.printf("ratio settlement/pass-through median %.2f%n", median);
      } finally {
        job.cancel().get();
      }
      return 0;
    });
  }

  /** What the rounds need of the input: its counts and the opens that credit. */
  private record Written(long inputs, int grants, java.util.Set<String> crediting) {}

  /**
   * Writes the grants and opens, and keeps only what the rounds need: the input's objects (a million grants and as
   * many opens, hundreds of megabytes) are let go, so that the JVM the jobs share does not mark them again and again
   * while a round runs (a slower job would pay more of that).
   */
  private static Written writeInput(String bootstrap, int grants) {
    long now = System.currentTimeMillis();
    List<Grant> all = grants(grants, now, "bench");
    List<OpenPlan.Action> plan = OpenPlan.plan(all, OpenPlan.Mix.standard(0), 3);
    System.out.printf("writing %,d grants and %,d opens (owners, second taps, retries, foreign) ...%n", all.size(), plan.size());
    write(bootstrap, Topics.GRANTS, Topics.OPENS, all, plan, now, 0);
    // The opens that credit in the job: per grant its owner's first open (in the plan's order, which is the order
    // of the grant's partition); a client's retry with the same key is answered without a second credit.
    java.util.Map<String, String> firstOpen = new java.util.HashMap<>();
    plan.stream().filter(x -> x.kind() == OpenPlan.Kind.OWNER).forEach(x -> firstOpen.putIfAbsent(x.grantId(), x.openId()));
    return new Written(all.size() + plan.size(), all.size(), new java.util.HashSet<>(firstOpen.values()));
  }

  private StreamExecutionEnvironment env(Path dataDir) {
    return BenchSupport.localEnv(dataDir, rounds.parallelism);
  }

  private static void define(StreamExecutionEnvironment env, String job, String bootstrap, String in, String out,
      boolean bounded, Duration expiry, java.util.Set<String> crediting) {
    var grantSource = KafkaIo.source(bootstrap, Topics.named(in, Topics.GRANTS), "bench-g-" + out, bounded);
    var openSource = KafkaIo.source(bootstrap, Topics.named(in, Topics.OPENS), "bench-o-" + out, bounded);
    var shareGrantSource = KafkaIo.source(bootstrap, Topics.named(in, Topics.SHARE_GRANTS), "bench-s-" + out, bounded);
    Outputs sinks = SettlementJob.kafkaSinks(bootstrap, out, "bench-" + out);
    if (job.equals("settlement")) {
      SettlementJob.define(env, grantSource, openSource, shareGrantSource, sinks,
          new SettlementSettings(expiry, Duration.ofMinutes(5), Duration.ofHours(1)), UnaryOperator.identity());
      return;
    }
    // The job's shape without its state and rules: the same sources, shuffles and sinks, as many records each.
    Topology topology = new Topology(env, "bench");
    var grants = topology.decoded(grantSource, "grants", Codecs.GRANT, Settlement::validate);
    var opens = topology.decoded(openSource, "opens", Codecs.OPEN, Settlement::validate);
    var shareMoves = topology.decoded(shareGrantSource, "share-grants", Codecs.SHARE_GRANT, InputRules::shareGrant);
    // The job's sinks: one per task, routed as the job's (the states one per change: the job's are fewer).
    var ledger = Routed.process(grants.keyBy(Grant::getGrantId, TypeInformation.of(String.class))
        .connect(opens.keyBy(Open::getGrantId, TypeInformation.of(String.class))),
        new PassThrough(crediting), SettlementJob.settleRoutes(sinks), "settle", sinks.sink("settle"));
    var shareEntries = Routed.process(shareMoves.keyBy(ShareGrant::getShareId, TypeInformation.of(String.class)),
        new PassBook(), Routes.main(Route.of(sinks.topic(Topics.LEDGER), Codecs.LEDGER, LedgerEntry::getEntryId)),
        "book-share-grants", sinks.sink("book-share-grants"));
    Routed.process(ledger.getSideOutput(SettleFunction.STATES).keyBy(GrantState::getUserId, TypeInformation.of(String.class))
        .connect(shareEntries.getSideOutput(BookShareFunction.PIECES).keyBy(ShareGrant::getUserId,
            TypeInformation.of(String.class))),
        new PassWallet(), Routes.main(Route.of(sinks.topic(Topics.GRANT_STATES), Codecs.GRANT_STATE, GrantState::getGrantId))
            .and(WalletFunction.WALLETS, Route.of(sinks.topic(Topics.WALLETS), Codecs.WALLET, Wallet::getUserId)),
        "wallet", sinks.sink("wallet"));
    topology.writeDeadLetters(sinks.deadLetters());
  }

  static List<Grant> grants(int n, long now, String pool) {
    List<Grant> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(new Grant(pool + "/" + (i % 50) + "/" + i, "s" + i, "u" + (i % (n / 2 + 1)), pool, i % 50,
          1L + (i * 37L) % 20_000, (long) i, now, "bench", 0L, 0));
    }
    return all;
  }

  /** Writes grants then opens; opens paced at {@code openRate} per second when it is positive. */
  private static void write(String bootstrap, String grantTopic, String openTopic, List<Grant> grants,
      List<OpenPlan.Action> opens, long stamp, int openRate) {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      for (Grant g : grants) {
        p.send(new ProducerRecord<>(grantTopic, null, g.getTimestamp(), g.getGrantId().getBytes(StandardCharsets.UTF_8),
            Codecs.GRANT.encode(g)));
      }
      long start = System.nanoTime();
      for (int i = 0; i < opens.size(); i++) {
        if (openRate > 0) {
          long due = start + (long) (i * 1e9 / openRate);
          LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
        }
        p.send(Records.open(openTopic, opens.get(i).open(stamp > 0 ? stamp : System.currentTimeMillis())));
      }
      p.flush();
    }
  }

  /**
   * The baseline of settle: no state, no rules: per grant its reserve entry and state, per open an answer, and for
   * the opens that credit in the job (the owners' first, known to the bench) also a credit entry and an opened state.
   */
  static final class PassThrough extends KeyedCoProcessFunction<String, Grant, Open, LedgerEntry> {
    private static final long serialVersionUID = 1L;
    private final java.util.HashSet<String> crediting;

    PassThrough(java.util.Set<String> crediting) {
      this.crediting = new java.util.HashSet<>(crediting);
    }

    @Override
    public void processElement1(Grant g, Context ctx, Collector<LedgerEntry> out) {
      Settlement.Step step = Settlement.grant(g);
      out.collect(step.entry());
      ctx.output(SettleFunction.STATES, step.state());
    }

    @Override
    public void processElement2(Open o, Context ctx, Collector<LedgerEntry> out) {
      if (crediting.contains(o.getOpenId())) {
        out.collect(new LedgerEntry(Settlement.entryId(o.getGrantId(), EntryKind.CREDIT), EntryKind.CREDIT, o.getGrantId(),
            "bench", o.getUserId(), "pool:bench", 1L, "wallet:" + o.getUserId(), 1L, o.getTimestamp()));
        ctx.output(SettleFunction.STATES, GrantState.newBuilder().setGrantId(o.getGrantId()).setUserId(o.getUserId())
            .setPoolId("bench").setCents(1L).setState(GrantPhase.OPENED).setOpenId(o.getOpenId())
            .setGrantedMillis(o.getTimestamp()).setOpenedMillis(o.getTimestamp()).setTimestamp(o.getTimestamp())
            .setSponsor("bench").setShareCents(0L).setSharePieces(0).build());
      }
      ctx.output(SettleFunction.RESULTS, Settlement.unknownGrant(o));
    }
  }

  /** The baseline of the wallets: an opened state becomes a wallet and a credited state, without a balance kept. */
  static final class PassWallet extends KeyedCoProcessFunction<String, GrantState, ShareGrant, GrantState> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement1(GrantState s, Context ctx, Collector<GrantState> out) {
      if (s.getState() != GrantPhase.OPENED) {
        out.collect(s);
        return;
      }
      ctx.output(WalletFunction.WALLETS, Settlement.credit(null, s));
      out.collect(Settlement.credited(s));
    }

    @Override
    public void processElement2(ShareGrant piece, Context ctx, Collector<GrantState> out) {
      ctx.output(WalletFunction.WALLETS, Settlement.credit(null, piece.getUserId(), piece.getCents(), piece.getMoveId(),
          piece.getTimestamp()));
    }
  }

  /** The baseline of book-share-grants: every movement booked, without remembering which were. */
  static final class PassBook extends KeyedProcessFunction<String, ShareGrant, LedgerEntry> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(ShareGrant m, Context ctx, Collector<LedgerEntry> out) {
      out.collect(Sharing.entry(m));
      if (m.getKind() == io.redpacket.avro.ShareMove.PIECE) {
        ctx.output(BookShareFunction.PIECES, m);
      }
    }
  }
}
