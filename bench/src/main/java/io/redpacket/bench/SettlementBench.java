package io.redpacket.bench;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.cluster.Checks;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Settlement;
import io.redpacket.core.Table;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.settlement.SettlementSettings;
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
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
  @Option(names = "--grants", defaultValue = "200000", description = "grants per run (default: ${DEFAULT-VALUE})")
  int grants;

  @Mixin
  BenchSupport.Rounds rounds = new BenchSupport.Rounds(2);

  @Option(names = "--open-rate", defaultValue = "2000", description = "opens per second in the delay phase (default: ${DEFAULT-VALUE})")
  int openRate;

  record Run(String job, int round, long inputs, double seconds) implements BenchSupport.Timed {}

  @Override
  public Integer call() throws Exception {
    Checks.range("--grants", grants, 1000, 50_000_000);
    rounds.check();
    Checks.range("--open-rate", openRate, 1, 1_000_000);
    return BenchSupport.onOwnBroker("settlement", (dir, bootstrap) -> {
      TopicAdmin.ensure(bootstrap, List.of(Topics.GRANTS, Topics.OPENS, Topics.SHARE_GRANTS), List.of(), 8);
      long now = System.currentTimeMillis();
      List<Grant> all = grants(grants, now, "bench");
      List<OpenPlan.Action> plan = OpenPlan.plan(all, OpenPlan.Mix.standard(0), 3);
      System.out.printf("writing %,d grants and %,d opens (owners, second taps, retries, foreign) ...%n", all.size(), plan.size());
      write(bootstrap, Topics.GRANTS, Topics.OPENS, all, plan, now, 0);
      long inputs = all.size() + plan.size();
      long credits = plan.stream().filter(a -> a.kind() == OpenPlan.Kind.OWNER).count();

      List<Run> runs = new ArrayList<>();
      for (int round = 1; round <= rounds.rounds; round++) {
        for (String job : rounds.order(round, "settlement")) {
          String out = job + "-" + round + "-";
          TopicAdmin.ensure(bootstrap, List.of(Topics.named(out, Topics.LEDGER), Topics.named(out, Topics.WALLETS),
              Topics.named(out, Topics.GRANT_STATES), Topics.named(out, Topics.OPEN_RESULTS),
              Topics.named(out, Topics.DEAD_LETTERS)), List.of(), 8);
          System.out.printf("round %d: %s ...%n", round, job);
          long expected = job.equals("settlement") ? all.size() + credits : inputs;
          BenchSupport.OutputClock clock = new BenchSupport.OutputClock(bootstrap, Topics.named(out, Topics.LEDGER));
          StreamExecutionEnvironment env = env(dir.resolve(out));
          define(env, job, bootstrap, "", out, true, Duration.ofHours(24));
          env.execute("bench " + job);
          Run run = new Run(job, round, inputs, clock.awaitSeconds(expected));
          System.out.printf("  %,.0f grants and opens/s%n", inputs / run.seconds());
          runs.add(run);
        }
      }
      Table t = new Table("job", "round", "grants + opens", "first to last ledger output, s", "records/s");
      for (Run r : runs) {
        t.row(r.job(), r.round(), String.format("%,d", r.inputs()), String.format("%.1f", r.seconds()),
            String.format("%,.0f", r.inputs() / r.seconds()));
      }
      System.out.print(t.render());
      System.out.printf("settlement / pass-through, per round: %s%n", BenchSupport.twoDecimals(BenchSupport.ratios(runs, rounds.rounds, "settlement")));

      // Delay: a running settlement job, grants already reserved, opens at a steady rate.
      String in = "delay-";
      String out = "delay-out-";
      TopicAdmin.ensure(bootstrap, List.of(Topics.named(in, Topics.GRANTS), Topics.named(in, Topics.OPENS),
          Topics.named(in, Topics.SHARE_GRANTS), Topics.named(out, Topics.LEDGER), Topics.named(out, Topics.WALLETS), Topics.named(out, Topics.GRANT_STATES),
          Topics.named(out, Topics.OPEN_RESULTS), Topics.named(out, Topics.DEAD_LETTERS)), List.of(), 8);
      int delayGrants = Math.min(20_000, openRate * 10);
      List<Grant> delayed = grants(delayGrants, System.currentTimeMillis(), "delay");
      StreamExecutionEnvironment env = env(dir.resolve("delay"));
      define(env, "settlement", bootstrap, in, out, false, Duration.ofHours(24));
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
      } finally {
        job.cancel().get();
      }
      return 0;
    });
  }

  private StreamExecutionEnvironment env(Path dataDir) {
    return BenchSupport.localEnv(dataDir, rounds.parallelism);
  }

  private static void define(StreamExecutionEnvironment env, String job, String bootstrap, String in, String out,
      boolean bounded, Duration expiry) {
    var grantSource = KafkaIo.source(bootstrap, Topics.named(in, Topics.GRANTS), "bench-g-" + out, bounded);
    var openSource = KafkaIo.source(bootstrap, Topics.named(in, Topics.OPENS), "bench-o-" + out, bounded);
    if (job.equals("settlement")) {
      var shareGrantSource = KafkaIo.source(bootstrap, Topics.named(in, Topics.SHARE_GRANTS), "bench-s-" + out, bounded);
      SettlementJob.define(env, grantSource, openSource, shareGrantSource, SettlementJob.kafkaSinks(bootstrap, out, "bench-" + out),
          new SettlementSettings(expiry, Duration.ofMinutes(5), Duration.ofHours(1)), UnaryOperator.identity());
      return;
    }
    env.getConfig().enableObjectReuse();
    var grants = env.fromSource(grantSource, WatermarkStrategy.noWatermarks(), "grants-source").uid("grants-source")
        .process(new DecodeFunction<>("bench", Codecs.GRANT, Settlement::validate), TypeInformation.of(Grant.class))
        .name("decode-grants").uid("decode-grants");
    var opens = env.fromSource(openSource, WatermarkStrategy.noWatermarks(), "opens-source").uid("opens-source")
        .process(new DecodeFunction<>("bench", Codecs.OPEN, Settlement::validate), TypeInformation.of(Open.class))
        .name("decode-opens").uid("decode-opens");
    grants.keyBy(Grant::getGrantId, TypeInformation.of(String.class))
        .connect(opens.keyBy(Open::getGrantId, TypeInformation.of(String.class)))
        .process(new PassThrough(), TypeInformation.of(LedgerEntry.class)).name("pass-through").uid("pass-through")
        .sinkTo(KafkaIo.sink(bootstrap, Topics.named(out, Topics.LEDGER), Codecs.LEDGER, LedgerEntry::getEntryId,
            DeliveryGuarantee.EXACTLY_ONCE, "bench-pass-" + out)).name("ledger-sink").uid("ledger-sink");
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

  /** The baseline: same sources, keying and ledger sink as settlement, no state: one entry per record. */
  static final class PassThrough extends KeyedCoProcessFunction<String, Grant, Open, LedgerEntry> {
    @Override
    public void processElement1(Grant g, Context ctx, Collector<LedgerEntry> out) {
      out.collect(Settlement.grant(g).entry());
    }

    @Override
    public void processElement2(Open o, Context ctx, Collector<LedgerEntry> out) {
      out.collect(new LedgerEntry(o.getOpenId(), io.redpacket.avro.EntryKind.CREDIT, o.getGrantId(), "bench", o.getUserId(),
          "pool:bench", 1L, "wallet:" + o.getUserId(), 1L, o.getTimestamp()));
    }
  }
}
