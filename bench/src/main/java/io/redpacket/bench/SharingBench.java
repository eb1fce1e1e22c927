package io.redpacket.bench;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.cluster.Checks;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.InputRules;
import io.redpacket.core.Settlement;
import io.redpacket.core.Sharing;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.Outputs;
import io.redpacket.jobs.common.Route;
import io.redpacket.jobs.common.Routed;
import io.redpacket.jobs.common.Routes;
import io.redpacket.jobs.common.Topology;
import io.redpacket.jobs.sharing.ShareFunction;
import io.redpacket.jobs.sharing.SharingJob;
import io.redpacket.jobs.sharing.SharingSettings;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.SharePlan;
import io.redpacket.simulator.SocialGraph;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
  @Option(names = "--grants", defaultValue = "350000", description = "opened, shareable grants; at least 10 s"
      + " of the faster job's output each (default: ${DEFAULT-VALUE})")
  int grants;

  @Option(names = "--pieces", defaultValue = "5", description = "pieces per share (default: ${DEFAULT-VALUE})")
  int pieces;

  @Mixin
  BenchSupport.Rounds rounds = new BenchSupport.Rounds(3);

  @Override
  public Integer call() throws Exception {
    Checks.range("--grants", grants, 1000, 10_000_000);
    Checks.range("--pieces", pieces, 1, Sharing.MAX_PIECES);
    rounds.check();
    return BenchSupport.onOwnBroker("sharing", (dir, bootstrap) -> {
      TopicAdmin.ensure(bootstrap, List.of(Topics.GRANT_STATES, Topics.SHARES, Topics.SHARE_CLAIMS), List.of(), 8);
      Written input = writeInput(bootstrap);
      java.util.Set<String> moving = input.moving();
      long claims = input.claims();
      List<BenchSupport.Run> runs = new ArrayList<>();
      for (int round : rounds.all()) {
        for (String job : rounds.order(round, "sharing")) {
          String out = job + "-" + (round < 1 ? "w" + (1 - round) : String.valueOf(round)) + "-";
          TopicAdmin.ensure(bootstrap, List.of(Topics.named(out, Topics.SHARE_GRANTS), Topics.named(out, Topics.SHARE_STATES),
              Topics.named(out, Topics.SHARE_RESULTS), Topics.named(out, Topics.DEAD_LETTERS)), List.of(), 8);
          System.out.printf("%s: %s ...%n", round < 1 ? "warm-up" : "round " + round, job);
          BenchSupport.OutputClock clock =
              new BenchSupport.OutputClock(bootstrap, Topics.named(out, Topics.SHARE_RESULTS), input.requests());
          StreamExecutionEnvironment env = BenchSupport.localEnv(dir.resolve(out), rounds.parallelism);
          define(env, job, bootstrap, out, moving);
          ThreadCpu cpu = BenchSupport.cpu();
          env.execute("bench " + job);
          cpu.stop();
          double seconds = clock.awaitSeconds(TopicReader.forEach(bootstrap, Topics.named(out, Topics.SHARE_RESULTS), true,
              r -> {}));
          var used = cpu.between(clock.firstNanos(), clock.lastNanos());
          String outputs = String.format("%,d answers, %,d share grants, %,d share states",
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.SHARE_RESULTS), true, r -> {}),
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.SHARE_GRANTS), true, r -> {}),
              TopicReader.forEach(bootstrap, Topics.named(out, Topics.SHARE_STATES), true, r -> {}));
          BenchSupport.Run run = new BenchSupport.Run(job, round, input.requests(), seconds, outputs, used);
          System.out.printf("  %,.0f requests/s, of which %,.0f claims/s (%s)%n", run.perSecond(), claims / seconds, outputs);
          runs.add(run);
        }
      }
      System.out.println("Both jobs: bounded sources of grant states, shares and claims, keyBy(grant) and keyBy(share),"
          + " the same sinks (one exactly-once sink for the three topics of share, and the dead letters') with about as many"
          + " records each (share states: the job's last value per checkpoint); RocksDB, checkpoints every"
          + " second, parallelism " + rounds.parallelism + "; rates from the first to the last answer. "
          + String.format("Requests: %,d, of which %,d claims.", input.requests(), claims));
      BenchSupport.report("sharing", "requests", runs, rounds);
      return 0;
    });
  }

  /** What the rounds need of the input: its counts and the requests that move money. */
  private record Written(long requests, long claims, java.util.Set<String> moving) {}

  /**
   * Writes the grant states, shares and claims, and keeps only what the rounds need: the input's objects are let go,
   * so that the JVM the jobs share does not mark them again and again while a round runs (a slower job would pay
   * more of that).
   */
  private Written writeInput(String bootstrap) {
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
    // The requests that move money in the job: every first share of an owner, and per share the first claims of
    // distinct friends up to its pieces (in the plan's order, which is each share's order on its partition).
    java.util.Set<String> moving = new java.util.HashSet<>();
    java.util.Map<String, java.util.Set<String>> claimers = new java.util.HashMap<>();
    for (SharePlan.Action a : plan) {
      if (a.kind() == SharePlan.Kind.SHARE) {
        moving.add(a.requestId());
      } else if (a.kind() == SharePlan.Kind.CLAIM) {
        java.util.Set<String> who = claimers.computeIfAbsent(a.shareId(), k -> new java.util.HashSet<>());
        if (who.size() < pieces && who.add(a.userId())) {
          moving.add(a.requestId());
        }
      }
    }
    return new Written(plan.size(), claims, moving);
  }

  private static void define(StreamExecutionEnvironment env, String job, String bootstrap, String out,
      java.util.Set<String> moving) {
    var states = KafkaIo.source(bootstrap, Topics.GRANT_STATES, "bench-g-" + out, true);
    var shares = KafkaIo.source(bootstrap, Topics.SHARES, "bench-s-" + out, true);
    var claims = KafkaIo.source(bootstrap, Topics.SHARE_CLAIMS, "bench-c-" + out, true);
    Outputs sinks = SharingJob.kafkaSinks(bootstrap, out, "bench-" + out);
    if (job.equals("sharing")) {
      // Expiry beyond the run: the bench measures answers, not refunds.
      SharingJob.define(env, states, shares, claims, sinks,
          new SharingSettings(Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofMinutes(1)),
          UnaryOperator.identity());
      return;
    }
    // The job's shape without its state and rules: the same sources, shuffles and sinks, about as many records each.
    Topology topology = new Topology(env, "bench");
    var grantStates = topology.decoded(states, "grant-states", Codecs.GRANT_STATE, InputRules::grantState)
        .filter(s -> s.getShareCents() > 0 && s.getSharePieces() > 0).name("with-share-allowance").uid("with-share-allowance");
    var requests = topology.decoded(shares, "shares", Codecs.SHARE_REQUEST, InputRules::share)
        .union(topology.decoded(claims, "claims", Codecs.SHARE_REQUEST, InputRules::claim));
    // The job's sink, routed as the job's (the share states one per change: the job's are fewer).
    Routed.process(grantStates.keyBy(GrantState::getGrantId, TypeInformation.of(String.class))
        .connect(requests.keyBy(ShareRequest::getShareId, TypeInformation.of(String.class))),
        new PassThrough(moving),
        Routes.main(Route.of(sinks.topic(Topics.SHARE_GRANTS), Codecs.SHARE_GRANT, ShareGrant::getShareId))
            .and(ShareFunction.STATES, Route.of(sinks.topic(Topics.SHARE_STATES), Codecs.SHARE_STATE, ShareState::getShareId))
            .and(ShareFunction.RESULTS, Route.of(sinks.topic(Topics.SHARE_RESULTS), Codecs.SHARE_RESULT,
                ShareResult::getRequestId)),
        "share", sinks.sink("share"));
    topology.writeDeadLetters(sinks.deadLetters());
  }

  /**
   * The baseline: no state, no rules: an answer per request, and for the requests that move money in the job (known
   * to the bench) a share grant and a share state (without the claims the job's states list).
   */
  static final class PassThrough extends KeyedCoProcessFunction<String, GrantState, ShareRequest, ShareGrant> {
    private static final long serialVersionUID = 1L;
    private final java.util.HashSet<String> moving;

    PassThrough(java.util.Set<String> moving) {
      this.moving = new java.util.HashSet<>(moving);
    }

    @Override
    public void processElement1(GrantState s, Context ctx, Collector<ShareGrant> out) {
      // grant states only feed the sharing job's state
    }

    @Override
    public void processElement2(ShareRequest r, Context ctx, Collector<ShareGrant> out) {
      boolean share = r.getAction() == ShareAction.SHARE;
      if (moving.contains(r.getRequestId())) {
        out.collect(new ShareGrant(r.getShareId() + (share ? "/reserve" : "/piece"), share ? ShareMove.RESERVE
            : ShareMove.PIECE, r.getShareId(), "bench", "bench", r.getUserId(), r.getUserId(), 0, 100L, r.getTimestamp()));
        ctx.output(ShareFunction.STATES, ShareState.newBuilder().setShareId(r.getShareId()).setPoolId("bench")
            .setSponsor("bench").setSharer(r.getUserId()).setRequestId(r.getRequestId()).setValueCents(500L).setPieces(5)
            .setClaims(List.of()).setClaimedCents(0L).setRefundedCents(0L).setPhase(SharePhase.OPEN)
            .setCreatedMillis(r.getTimestamp()).setExpiresMillis(r.getTimestamp()).setTimestamp(r.getTimestamp()).build());
      }
      ctx.output(ShareFunction.RESULTS, new ShareResult(r.getRequestId(), r.getShareId(), r.getUserId(), r.getAction(),
          share ? ShareCode.SHARED : ShareCode.CLAIMED, null, null, r.getTimestamp()));
    }
  }
}
