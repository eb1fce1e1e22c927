package io.redpacket.bench;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.cluster.Checks;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Settlement;
import io.redpacket.core.Sharing;
import io.redpacket.core.Table;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.sharing.SharingJob;
import io.redpacket.jobs.sharing.SharingSettings;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.simulator.SharePlan;
import io.redpacket.simulator.SocialGraph;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sharing", mixinStandardHelpOptions = true,
    description = "The sharing job (RocksDB, exactly-once) against a pass-through job with the same sources, keying and"
        + " answer sink but no state, in one run: share requests and claims per second, and their ratio.")
public final class SharingBench implements Callable<Integer> {
  @Option(names = "--grants", defaultValue = "30000", description = "opened, shareable grants (default: ${DEFAULT-VALUE})")
  int grants;

  @Option(names = "--pieces", defaultValue = "5", description = "pieces per share (default: ${DEFAULT-VALUE})")
  int pieces;

  @Mixin
  BenchSupport.Rounds rounds = new BenchSupport.Rounds(2);

  record Run(String job, int round, double seconds) implements BenchSupport.Timed {}

  @Override
  public Integer call() throws Exception {
    Checks.range("--grants", grants, 1000, 10_000_000);
    Checks.range("--pieces", pieces, 1, Sharing.MAX_PIECES);
    rounds.check();
    return BenchSupport.onOwnBroker("sharing", (dir, bootstrap) -> {
      TopicAdmin.ensure(bootstrap, List.of(Topics.GRANT_STATES, Topics.SHARES, Topics.SHARE_CLAIMS), List.of(), 8);
      long now = System.currentTimeMillis();
      List<Grant> opened = new ArrayList<>(grants);
      for (int i = 0; i < grants; i++) {
        opened.add(new Grant("bench/" + (i % 50) + "/" + i, "s" + i, "u" + i, "bench", i % 50, 100L, (long) i, now,
            "bench", 100L * pieces, pieces));
      }
      // Every owner shares; one or two more friends than pieces claim (races for the last piece), a few retry.
      SharePlan.Mix mix = new SharePlan.Mix(1.0, 0.0, 0.03, 0.02, 0);
      List<SharePlan.Action> plan = SharePlan.plan(opened, mix, new SocialGraph(grants, 2 * pieces + 4, 11), 13);
      long claims = plan.stream().filter(a -> a.action() == ShareAction.CLAIM).count();
      System.out.printf("writing %,d opened grants, %,d share requests and %,d claims ...%n", opened.size(),
          plan.size() - claims, claims);
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
        for (Grant g : opened) {
          GrantState s = GrantState.newBuilder(Settlement.grant(g).state()).setState(GrantPhase.CREDITED).build();
          p.send(new ProducerRecord<>(Topics.GRANT_STATES, null, now, g.getGrantId().getBytes(StandardCharsets.UTF_8),
              Codecs.GRANT_STATE.encode(s)));
        }
        for (SharePlan.Action a : plan) {
          p.send(Records.shareRequest(a.action() == ShareAction.SHARE ? Topics.SHARES : Topics.SHARE_CLAIMS, a.request(now)));
        }
      }
      List<Run> runs = new ArrayList<>();
      for (int round = 1; round <= rounds.rounds; round++) {
        for (String job : rounds.order(round, "sharing")) {
          String out = job + "-" + round + "-";
          TopicAdmin.ensure(bootstrap, List.of(Topics.named(out, Topics.SHARE_GRANTS), Topics.named(out, Topics.SHARE_STATES),
              Topics.named(out, Topics.SHARE_RESULTS), Topics.named(out, Topics.DEAD_LETTERS)), List.of(), 8);
          System.out.printf("round %d: %s ...%n", round, job);
          BenchSupport.OutputClock clock = new BenchSupport.OutputClock(bootstrap, Topics.named(out, Topics.SHARE_RESULTS));
          StreamExecutionEnvironment env = BenchSupport.localEnv(dir.resolve(out), rounds.parallelism);
          define(env, job, bootstrap, out);
          env.execute("bench " + job);
          Run run = new Run(job, round, clock.awaitSeconds(plan.size()));
          System.out.printf("  %,.0f requests/s, of which %,.0f claims/s%n", plan.size() / run.seconds(),
              claims / run.seconds());
          runs.add(run);
        }
      }
      Table t = new Table("job", "round", "requests", "claims", "first to last answer, s", "requests/s", "claims/s");
      for (Run r : runs) {
        t.row(r.job(), r.round(), String.format("%,d", plan.size()), String.format("%,d", claims),
            String.format("%.1f", r.seconds()), String.format("%,.0f", plan.size() / r.seconds()),
            String.format("%,.0f", claims / r.seconds()));
      }
      System.out.print(t.render());
      System.out.printf("sharing / pass-through, per round: %s%n",
          BenchSupport.twoDecimals(BenchSupport.ratios(runs, rounds.rounds, "sharing")));
      return 0;
    });
  }

  private static void define(StreamExecutionEnvironment env, String job, String bootstrap, String out) {
    var states = KafkaIo.source(bootstrap, Topics.GRANT_STATES, "bench-g-" + out, true);
    var shares = KafkaIo.source(bootstrap, Topics.SHARES, "bench-s-" + out, true);
    var claims = KafkaIo.source(bootstrap, Topics.SHARE_CLAIMS, "bench-c-" + out, true);
    if (job.equals("sharing")) {
      // Expiry beyond the run: the bench measures answers, not refunds.
      SharingJob.define(env, states, shares, claims, SharingJob.kafkaSinks(bootstrap, out, "bench-" + out),
          new SharingSettings(Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofMinutes(1)), UnaryOperator.identity());
      return;
    }
    env.getConfig().enableObjectReuse();
    var grantStates = env.fromSource(states, WatermarkStrategy.noWatermarks(), "grant-states-source")
        .uid("grant-states-source")
        .process(new DecodeFunction<>("bench", Codecs.GRANT_STATE, s -> List.of()), TypeInformation.of(GrantState.class))
        .name("decode-grant-states").uid("decode-grant-states");
    var requests = env.fromSource(shares, WatermarkStrategy.noWatermarks(), "shares-source").uid("shares-source")
        .process(new DecodeFunction<>("bench", Codecs.SHARE_REQUEST, Sharing::validate), TypeInformation.of(ShareRequest.class))
        .name("decode-shares").uid("decode-shares")
        .union(env.fromSource(claims, WatermarkStrategy.noWatermarks(), "claims-source").uid("claims-source")
            .process(new DecodeFunction<>("bench", Codecs.SHARE_REQUEST, Sharing::validate),
                TypeInformation.of(ShareRequest.class))
            .name("decode-claims").uid("decode-claims"));
    grantStates.keyBy(GrantState::getGrantId, TypeInformation.of(String.class))
        .connect(requests.keyBy(ShareRequest::getShareId, TypeInformation.of(String.class)))
        .process(new PassThrough(), TypeInformation.of(ShareResult.class)).name("pass-through").uid("pass-through")
        .sinkTo(KafkaIo.sink(bootstrap, Topics.named(out, Topics.SHARE_RESULTS), Codecs.SHARE_RESULT,
            ShareResult::getRequestId, DeliveryGuarantee.EXACTLY_ONCE, "bench-pass-" + out)).name("share-results-sink")
        .uid("share-results-sink");
  }

  /** The baseline: same sources, keying and answer sink as sharing, no state: one answer per request. */
  static final class PassThrough extends KeyedCoProcessFunction<String, GrantState, ShareRequest, ShareResult> {
    @Override
    public void processElement1(GrantState s, Context ctx, Collector<ShareResult> out) {
      // grant states only feed the sharing job's state
    }

    @Override
    public void processElement2(ShareRequest r, Context ctx, Collector<ShareResult> out) {
      out.collect(new ShareResult(r.getRequestId(), r.getShareId(), r.getUserId(), r.getAction(), ShareCode.UNKNOWN_SHARE,
          null, null, r.getTimestamp()));
    }
  }
}
