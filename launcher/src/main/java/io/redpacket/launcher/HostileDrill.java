package io.redpacket.launcher;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.Deployment;
import io.redpacket.cluster.LocalFlink;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.SharingAudit;
import io.redpacket.core.StableHash;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.audit.AuditJob;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.launcher.HostileRecords.Expect;
import io.redpacket.launcher.HostileRecords.Hostile;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.stack.LocalKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The hostile-input drill: the whole pipeline on a fresh local stack (a real broker, the four jobs
 * on one MiniCluster, as {@code ./redpacket stack up} runs them) takes a seeded wave (a pool, shakes
 * with retries, opens by owners and others, shares and claims) while every bad record of
 * {@link HostileRecords} is written among it to the input topics. Then it checks that no job failed or
 * restarted, that each bad record has its dead letter with its reason (or its ordinary answer), that
 * nothing good was dead-lettered, that the audits are clean and the continuous audit found nothing,
 * and that the good records' grants and outcomes equal, byte for byte, those of a calm run: the same
 * good records alone, allocated again by a bounded allocation job on topics of their own.
 */
final class HostileDrill {
  static final String POOL = "drill";

  /**
   * The drill's size and where it runs: on a broker of its own in {@code dataDir}, or, with {@code bootstrap},
   * on a running broker, under topics of its own.
   */
  record Settings(Path dataDir, int uiPort, int parallelism, long seed, int shakes, int users, int packets,
      String bootstrap) {
    static Settings small(Path dataDir, int uiPort) {
      return new Settings(dataDir, uiPort, 1, 15, 1500, 900, 300, null);
    }

    Settings on(String bootstrap) {
      return new Settings(dataDir, uiPort, parallelism, seed, shakes, users, packets, bootstrap);
    }
  }

  /** What the drill found: empty {@code failures} when the pipeline held. */
  record Result(List<String> failures, int hostile, int deadLetters, int answered, int refusedByBroker, int grants,
      int goodOutcomes, Map<String, String> reasons) {
    boolean passed() {
      return failures.isEmpty();
    }
  }

  private final Settings settings;
  private final PrintStream out;
  /** The prefix of the drill's topics, and of the calm run's under it. */
  private final String run = "hostile-" + System.currentTimeMillis() + ".";
  private final String calm = run + "calm.";
  private final List<String> failures = new ArrayList<>();
  private String bootstrap;
  private LocalFlink flink;
  private final Map<String, JobClient> jobs = new LinkedHashMap<>();
  /** Each hostile record written: where it landed, or null when the broker refused it. */
  private final Map<Hostile, RecordMetadata> written = new LinkedHashMap<>();
  private final Set<String> goodShakeIds = new TreeSet<>();
  private final Set<String> goodOpenIds = new TreeSet<>();
  private final Set<String> goodRequestIds = new TreeSet<>();

  private HostileDrill(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  static Result run(Settings settings, PrintStream out) throws Exception {
    return new HostileDrill(settings, out).run();
  }

  private Result run() throws Exception {
    long t0 = System.nanoTime();
    try (LocalKafka kafka = settings.bootstrap() == null ? LocalKafka.start(settings.dataDir().resolve("kafka"), false)
        : null) {
      bootstrap = kafka != null ? kafka.bootstrapServers() : settings.bootstrap();
      int partitions = 2;
      for (String prefix : List.of(run, calm)) {
        TopicAdmin.ensure(bootstrap, Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList(),
            Topics.COMPACTED.stream().map(t -> Topics.named(prefix, t)).toList(), partitions);
      }
      var conf = LocalFlink.configuration(settings.dataDir().resolve("flink"), settings.uiPort(), settings.parallelism(),
          Duration.ofSeconds(1));
      // The pipeline's slots and one more set for the calm run.
      try (LocalFlink f = LocalFlink.start(conf, settings.dataDir().resolve("flink"),
          Deployment.slotsFor(settings.parallelism()) + settings.parallelism())) {
        flink = f;
        startJobs();
        out.printf("hostile drill: broker and the four jobs up after %.1f s%n", (System.nanoTime() - t0) / 1e9);
        wave();
        out.printf("hostile drill: wave and %d hostile records written, answered and settled after %.1f s%n",
            written.size(), (System.nanoTime() - t0) / 1e9);
        checkJobs();
        Result result = checkRecords();
        checkCalmRun();
        out.printf("hostile drill: done after %.1f s: %s%n", (System.nanoTime() - t0) / 1e9,
            failures.isEmpty() ? "PASSED" : failures.size() + " FAILURE(S)");
        failures.forEach(x -> out.println("  FAILED: " + x));
        return new Result(List.copyOf(failures), result.hostile(), result.deadLetters(), result.answered(),
            result.refusedByBroker(), result.grants(), result.goodOutcomes(), result.reasons());
      }
    } finally {
      LocalKafka.deleteRecursively(settings.dataDir().resolve("flink"));
    }
  }

  /** The four jobs as the local stack runs them, with short waits for what never comes (so the drill is short). */
  private void startJobs() throws Exception {
    for (Deployment.JobSpec job : Deployment.pipeline(bootstrap, run, Duration.ofSeconds(30), Duration.ofSeconds(20))) {
      List<String> a = new ArrayList<>(job.args());
      // Groups and transactional ids of their own: the broker may be shared.
      a.addAll(List.of("--group", run + job.name(), "--transactional-id-prefix", run + job.name()));
      switch (job.name()) {
        case AllocationJob.NAME -> {
          a.addAll(List.of("--unknown-pool-wait-seconds", "10"));
          String[] args = a.toArray(String[]::new);
          jobs.put(job.name(), flink.submit(job.name(), env -> AllocationJob.build(env, new JobArgs(args, AllocationJob.FLAGS)),
              false, out));
        }
        case SettlementJob.NAME -> {
          a.addAll(List.of("--open-wait-seconds", "10"));
          String[] args = a.toArray(String[]::new);
          jobs.put(job.name(), flink.submit(job.name(), env -> SettlementJob.build(env, new JobArgs(args, SettlementJob.FLAGS)),
              false, out));
        }
        case SharingJob.NAME -> {
          a.addAll(List.of("--request-wait-seconds", "10"));
          String[] args = a.toArray(String[]::new);
          jobs.put(job.name(), flink.submit(job.name(), env -> SharingJob.build(env, new JobArgs(args, SharingJob.FLAGS)),
              false, out));
        }
        case AuditJob.NAME -> {
          String[] args = a.toArray(String[]::new);
          jobs.put(job.name(), flink.submit(job.name(), env -> AuditJob.build(env, new JobArgs(args, AuditJob.FLAGS)), false,
              out));
        }
        default -> throw new IllegalStateException("no topology for " + job.name());
      }
    }
    Await.until("the four jobs to run", Duration.ofMinutes(2), () -> {
      for (JobClient c : jobs.values()) {
        if (c.getJobStatus().get(10, TimeUnit.SECONDS) != JobStatus.RUNNING) {
          return false;
        }
      }
      return true;
    });
  }

  static PoolDefinition pool(Settings s, long now) {
    return PoolDefinition.newBuilder().setPoolId(POOL).setSponsor("drill-sponsor").setTotalCents(s.packets() * 500L)
        .setTotalCount(s.packets()).setSets(4).setMinCents(100).setMaxCents(2000).setStartMillis(now - 600_000)
        .setEndMillis(now + 3_600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false)
        .setCreatedMillis(now).setShareCents(300).setSharePieces(3).build();
  }

  /** The wave, in three phases, each with its topics' hostile records among the good ones. */
  private void wave() throws Exception {
    long now = System.currentTimeMillis();
    PoolDefinition pool = pool(settings, now);
    List<Hostile> hostile = HostileRecords.catalogue(pool, now, settings.seed());
    Map<String, List<Hostile>> byTopic = new HashMap<>();
    hostile.forEach(h -> byTopic.computeIfAbsent(h.topic(), k -> new ArrayList<>()).add(h));
    Properties plain = new Properties();
    plain.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    plain.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    plain.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    plain.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
    // Good records through the pipeline's own producer settings; bad ones through a plain producer of their
    // own, each sent alone, so a record the broker refuses never takes a good one's batch with it.
    try (KafkaProducer<byte[], byte[]> good = new KafkaProducer<>(ProducerSettings.reliable(bootstrap));
        KafkaProducer<byte[], byte[]> bad = new KafkaProducer<>(plain)) {
      for (String prefix : List.of(run, calm)) {
        good.send(new ProducerRecord<>(Topics.named(prefix, Topics.POOLS), null, now, Records.utf8(POOL),
            Codecs.POOL.encode(pool))).get();
      }
      // Phase 1: shakes (with client retries), among the hostile pools and shakes.
      List<Shake> shakes = new ArrayList<>();
      for (int i = 0; i < settings.shakes(); i++) {
        String user = "user-" + (int) ((i * 7919L) % settings.users());
        shakes.add(Shake.newBuilder().setShakeId("shake-" + i).setUserId(user).setPoolId(POOL)
            .setSetId(StableHash.setOf(user, pool.getSets())).setTimestamp(now + i).setDevice(null).build());
        if (i % 10 == 3) {
          shakes.add(shakes.get(i / 2)); // a retry of an earlier shake, answered alike
        }
      }
      List<Hostile> phase1 = new ArrayList<>(byTopic.get(Topics.POOLS));
      phase1.addAll(byTopic.get(Topics.SHAKES));
      int every = Math.max(1, shakes.size() / (phase1.size() + 1));
      int h = 0;
      for (int i = 0; i < shakes.size(); i++) {
        Shake s = shakes.get(i);
        goodShakeIds.add(s.getShakeId());
        for (String prefix : List.of(run, calm)) {
          good.send(Records.shake(Topics.named(prefix, Topics.SHAKES), s));
        }
        if (i % every == every / 2 && h < phase1.size()) {
          good.flush();
          send(bad, phase1.get(h++));
        }
      }
      while (h < phase1.size()) {
        send(bad, phase1.get(h++));
      }
      good.flush();
      Await.until(goodShakeIds.size() + " good shakes answered", Duration.ofMinutes(3),
          () -> answered(Topics.SHAKE_OUTCOMES, r -> Codecs.OUTCOME.decode(r).getShakeId()).containsAll(goodShakeIds));

      // Phase 2: opens of the grants (owners, second taps, foreign opens), among the hostile opens.
      List<Grant> grants = TopicReader.readAll(bootstrap, Topics.named(run, Topics.GRANTS), true).stream()
          .map(r -> Codecs.GRANT.decode(r.value())).toList();
      List<Open> opens = new ArrayList<>();
      long at = System.currentTimeMillis();
      for (int i = 0; i < grants.size(); i++) {
        Grant g = grants.get(i);
        if (i % 3 != 2) {
          opens.add(Open.newBuilder().setOpenId("open-" + g.getGrantId()).setGrantId(g.getGrantId()).setUserId(g.getUserId())
              .setTimestamp(at + i).build());
        }
        if (i % 5 == 0) {
          opens.add(Open.newBuilder().setOpenId("again-" + g.getGrantId()).setGrantId(g.getGrantId())
              .setUserId(g.getUserId()).setTimestamp(at + i).build());
        }
        if (i % 7 == 0) {
          opens.add(Open.newBuilder().setOpenId("foreign-" + g.getGrantId()).setGrantId(g.getGrantId())
              .setUserId("someone-else").setTimestamp(at + i).build());
        }
      }
      interleave(good, bad, opens, o -> Records.open(Topics.named(run, Topics.OPENS), o), byTopic.get(Topics.OPENS));
      opens.forEach(o -> goodOpenIds.add(o.getOpenId()));
      Await.until(goodOpenIds.size() + " good opens answered", Duration.ofMinutes(2),
          () -> answered(Topics.OPEN_RESULTS, r -> Codecs.OPEN_RESULT.decode(r).getOpenId()).containsAll(goodOpenIds));

      // Phase 3: shares of opened grants and friends' claims (one too many, a repeat, the sharer's own), among the
      // hostile shares and claims.
      List<String> opened = TopicReader.readAll(bootstrap, Topics.named(run, Topics.OPEN_RESULTS), true).stream()
          .map(r -> Codecs.OPEN_RESULT.decode(r.value())).filter(r -> r.getResult() == OpenCode.OPENED)
          .map(r -> r.getGrantId() + " " + r.getUserId()).sorted().toList();
      List<ShareRequest> shares = new ArrayList<>();
      List<ShareRequest> claims = new ArrayList<>();
      at = System.currentTimeMillis();
      for (int i = 0; i < opened.size(); i += 2) {
        String[] gu = opened.get(i).split(" ");
        shares.add(ShareRequest.newBuilder().setRequestId("share-" + gu[0]).setShareId(gu[0]).setUserId(gu[1])
            .setAction(ShareAction.SHARE).setTimestamp(at).build());
        for (int friend = 0; friend < 5; friend++) {
          String who = friend == 4 ? gu[1] : "friend-" + ((i + friend) % 50);
          claims.add(ShareRequest.newBuilder().setRequestId("claim-" + friend + "-" + gu[0]).setShareId(gu[0]).setUserId(who)
              .setAction(ShareAction.CLAIM).setTimestamp(at + 1 + friend).build());
        }
      }
      interleave(good, bad, shares, r -> Records.shareRequest(Topics.named(run, Topics.SHARES), r), byTopic.get(Topics.SHARES));
      interleave(good, bad, claims, r -> Records.shareRequest(Topics.named(run, Topics.SHARE_CLAIMS), r), byTopic.get(Topics.SHARE_CLAIMS));
      shares.forEach(r -> goodRequestIds.add(r.getRequestId()));
      claims.forEach(r -> goodRequestIds.add(r.getRequestId()));
      Await.until(goodRequestIds.size() + " good shares and claims answered", Duration.ofMinutes(2),
          () -> answered(Topics.SHARE_RESULTS, r -> Codecs.SHARE_RESULT.decode(r).getRequestId()).containsAll(goodRequestIds));
    }
    // Every grant credited or refunded, every share claimed or refunded: the three audits clean (bounded).
    String[] last = {""};
    try {
      Await.until("the wave settled and audited clean", Duration.ofMinutes(3), () -> {
        Audit.Report a = AuditRunner.run(bootstrap, run);
        SettlementAudit.Report s = AuditRunner.settlement(bootstrap, run, run);
        SharingAudit.Report sh = AuditRunner.sharing(bootstrap, run, run, run);
        last[0] = a.render() + s.render() + sh.render();
        return a.clean() && s.clean() && sh.clean();
      });
      out.print(last[0]);
    } catch (RuntimeException e) {
      out.print(last[0]);
      failures.add("the audit is not clean: " + e.getMessage());
    }
  }

  private <T> void interleave(KafkaProducer<byte[], byte[]> good, KafkaProducer<byte[], byte[]> bad, List<T> records,
      java.util.function.Function<T, ProducerRecord<byte[], byte[]>> toRecord, List<Hostile> hostile) throws Exception {
    int every = Math.max(1, records.size() / (hostile.size() + 1));
    int h = 0;
    for (int i = 0; i < records.size(); i++) {
      good.send(toRecord.apply(records.get(i)));
      if (i % every == every / 2 && h < hostile.size()) {
        good.flush();
        send(bad, hostile.get(h++));
      }
    }
    good.flush();
    while (h < hostile.size()) {
      send(bad, hostile.get(h++));
    }
  }

  private void send(KafkaProducer<byte[], byte[]> bad, Hostile h) throws Exception {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.named(run, h.topic()), null, h.kafkaTimestamp(), h.key(), h.value());
    Future<RecordMetadata> sent = bad.send(r);
    try {
      written.put(h, sent.get(1, TimeUnit.MINUTES));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InvalidTimestampException && h.expect() == Expect.REFUSED_OR_DEAD_LETTER) {
        written.put(h, null);
      } else {
        throw e;
      }
    }
  }

  private Set<String> answered(String topic, java.util.function.Function<byte[], String> id) {
    Set<String> ids = new java.util.HashSet<>();
    TopicReader.forEach(bootstrap, Topics.named(run, topic), true, r -> ids.add(id.apply(r.value())));
    return ids;
  }

  /** (a) Every job RUNNING, never restarted, no failure in its exception history. */
  private void checkJobs() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (var e : jobs.entrySet()) {
      JobStatus status = e.getValue().getJobStatus().get(30, TimeUnit.SECONDS);
      if (status != JobStatus.RUNNING) {
        failures.add("job " + e.getKey() + " is " + status + ", not RUNNING");
      }
      String id = e.getValue().getJobID().toString();
      // A job's metrics reach the REST API a moment after they are registered: wait for this one (bounded).
      String[] n = {"?"};
      try {
        Await.until("numRestarts of " + e.getKey(), Duration.ofSeconds(30), () -> {
          JsonArray m = new JsonArray(get(http, "/jobs/" + id + "/metrics?get=numRestarts"));
          n[0] = m.isEmpty() ? "?" : m.getJsonObject(0).getString("value");
          return !m.isEmpty();
        });
      } catch (RuntimeException notReported) {
        // n stays "?": reported as a failure below
      }
      if (!"0".equals(n[0])) {
        failures.add("job " + e.getKey() + " restarted or did not say: numRestarts=" + n[0]);
      }
      JsonObject exceptions = new JsonObject(get(http, "/jobs/" + id + "/exceptions"));
      JsonArray history = exceptions.getJsonObject("exceptionHistory", new JsonObject()).getJsonArray("entries", new JsonArray());
      if (!history.isEmpty()) {
        failures.add("job " + e.getKey() + " failed and recovered: "
            + history.getJsonObject(0).getString("exceptionName") + ": " + history.getJsonObject(0).getString("stacktrace", "")
                .lines().findFirst().orElse(""));
      }
      out.printf("  job %-22s %s, numRestarts %s, exception history %d%n", e.getKey(), status, n[0], history.size());
    }
  }

  private String get(HttpClient http, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(flink.webUi() + path)).timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** (b) Each hostile record has its dead letter with its reason, or its answer; nothing good was dead-lettered. */
  private Result checkRecords() {
    List<DeadLetter> letters = TopicReader.readAll(bootstrap, Topics.named(run, Topics.DEAD_LETTERS), false).stream()
        .map(r -> Codecs.DEAD_LETTER.decode(r.value())).toList();
    Map<String, DeadLetter> byPlace = new HashMap<>();
    Map<String, DeadLetter> byValue = new HashMap<>();
    for (DeadLetter d : letters) {
      byPlace.putIfAbsent(d.getSourceTopic() + "/" + d.getPartition() + "/" + d.getOffset(), d);
      if (d.getValue() != null) {
        byValue.putIfAbsent(HexFormat.of().formatHex(bytes(d.getValue())), d);
      }
    }
    Map<String, String> outcomes = answers(Topics.SHAKE_OUTCOMES, b -> {
      var o = Codecs.OUTCOME.decode(b);
      return Map.entry(o.getShakeId(), o.getOutcome().toString());
    });
    Map<String, String> openResults = answers(Topics.OPEN_RESULTS, b -> {
      var o = Codecs.OPEN_RESULT.decode(b);
      return Map.entry(o.getOpenId(), o.getResult().toString());
    });
    Map<String, String> shareResults = answers(Topics.SHARE_RESULTS, b -> {
      var o = Codecs.SHARE_RESULT.decode(b);
      return Map.entry(o.getRequestId(), o.getResult().toString());
    });
    int dead = 0;
    int answered = 0;
    int refused = 0;
    Set<String> matched = new java.util.HashSet<>();
    Map<String, String> reasons = new TreeMap<>();
    for (var e : written.entrySet()) {
      Hostile h = e.getKey();
      RecordMetadata at = e.getValue();
      if (at == null) {
        refused++;
        reasons.put(h.toString(), "refused by the broker (InvalidTimestampException)");
        continue;
      }
      if (h.expect() == Expect.ANSWER) {
        Map<String, String> answers = switch (h.topic()) {
          case Topics.SHAKES -> outcomes;
          case Topics.OPENS -> openResults;
          default -> shareResults;
        };
        String got = answers.get(h.answerId());
        if (!h.expected().equals(got)) {
          failures.add(h + " (" + h.answerId() + "): expected the answer " + h.expected() + ", got " + got);
        } else {
          answered++;
        }
        reasons.put(h.toString(), "answered " + got);
        continue;
      }
      String place = at.topic() + "/" + at.partition() + "/" + at.offset();
      DeadLetter d = byPlace.get(place);
      if (d == null && h.value() != null) {
        // A redefined pool is dead-lettered once it was decoded, by its bytes: it carries no offset.
        d = byValue.get(HexFormat.of().formatHex(h.value()));
      }
      if (d == null) {
        failures.add(h + " (" + place + "): no dead letter");
      } else if (d.getError() == null || !d.getError().contains(h.expected())) {
        failures.add(h + " (" + place + "): dead letter's reason \"" + d.getError() + "\" does not say \"" + h.expected() + "\"");
      } else {
        dead++;
        matched.add(d.getSourceTopic() + "/" + d.getPartition() + "/" + d.getOffset());
      }
      reasons.put(h.toString(), d == null ? "NONE" : d.getError().length() > 160 ? d.getError().substring(0, 160) + "..." : d.getError());
    }
    long stray = letters.stream().filter(d -> d.getPartition() >= 0
        && !matched.contains(d.getSourceTopic() + "/" + d.getPartition() + "/" + d.getOffset())).count();
    if (stray > 0) {
      failures.add(stray + " dead letter(s) for records that were not hostile: "
          + letters.stream().filter(d -> d.getPartition() >= 0
              && !matched.contains(d.getSourceTopic() + "/" + d.getPartition() + "/" + d.getOffset()))
              .limit(3).map(DeadLetter::getError).toList());
    }
    long findings = TopicReader.forEach(bootstrap, Topics.named(run, Topics.AUDIT_RESULTS), true, r -> {});
    if (findings > 0) {
      failures.add("the continuous audit wrote " + findings + " finding(s) to audit-results");
    }
    out.printf("  %d hostile records: %d dead letters with their reasons, %d answered, %d refused by the broker;"
        + " %d dead letters in all; %d continuous-audit findings%n", written.size(), dead, answered, refused, letters.size(),
        findings);
    reasons.forEach((k, v) -> out.printf("    %-55s %s%n", k, v));
    return new Result(List.of(), written.size(), dead, answered, refused, 0, 0, reasons);
  }

  private Map<String, String> answers(String topic, java.util.function.Function<byte[], Map.Entry<String, String>> f) {
    Map<String, String> m = new HashMap<>();
    TopicReader.forEach(bootstrap, Topics.named(run, topic), true, r -> {
      var e = f.apply(r.value());
      m.putIfAbsent(e.getKey(), e.getValue());
    });
    return m;
  }

  /** (d) The good input alone, allocated by a bounded job on topics of its own: the same grants and outcomes, byte for byte. */
  private void checkCalmRun() throws Exception {
    long t0 = System.nanoTime();
    String[] args = {"--bootstrap", bootstrap, "--topic-prefix", calm, "--bounded", "--group", calm + "allocation",
        "--transactional-id-prefix", calm + "allocation"};
    JobClient calmJob = flink.submit("calm-allocation", env -> AllocationJob.build(env, new JobArgs(args, AllocationJob.FLAGS)),
        false, out);
    Await.until("the calm allocation run to finish", Duration.ofMinutes(3), () -> {
      JobStatus s = calmJob.getJobStatus().get(10, TimeUnit.SECONDS);
      if (s.isGloballyTerminalState() && s != JobStatus.FINISHED) {
        throw new Await.Abort("the calm allocation run ended " + s);
      }
      return s == JobStatus.FINISHED;
    });
    Map<String, List<String>> grants = records(Topics.GRANTS, b -> Codecs.GRANT.decode(b).getGrantId(), run);
    Map<String, List<String>> calmGrants = records(Topics.GRANTS, b -> Codecs.GRANT.decode(b).getGrantId(), calm);
    Map<String, List<String>> outcomes = records(Topics.SHAKE_OUTCOMES, b -> Codecs.OUTCOME.decode(b).getShakeId(), run);
    outcomes.keySet().retainAll(goodShakeIds);
    Map<String, List<String>> calmOutcomes = records(Topics.SHAKE_OUTCOMES, b -> Codecs.OUTCOME.decode(b).getShakeId(), calm);
    compare("grants", grants, calmGrants);
    compare("outcomes of the good shakes", outcomes, calmOutcomes);
    out.printf("  calm run: %d grants and %d good shakes' outcomes compared byte for byte with a calm run (%.1f s)%n",
        calmGrants.size(), calmOutcomes.size(), (System.nanoTime() - t0) / 1e9);
  }

  private void compare(String what, Map<String, List<String>> run, Map<String, List<String>> calm) {
    TreeSet<String> ids = new TreeSet<>(run.keySet());
    ids.addAll(calm.keySet());
    List<String> diff = ids.stream().filter(k -> !Objects.equals(run.get(k), calm.get(k))).limit(5).toList();
    if (!diff.isEmpty() || calm.isEmpty()) {
      failures.add(what + " differ from the calm run's (" + run.size() + " vs " + calm.size() + "), e.g. " + diff);
    }
  }

  /** Committed records of a topic, id to the hex of each of its records in log order. */
  private Map<String, List<String>> records(String topic, java.util.function.Function<byte[], String> id, String prefix) {
    Map<String, List<String>> m = new TreeMap<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(prefix, topic), true)) {
      m.computeIfAbsent(id.apply(r.value()), k -> new ArrayList<>()).add(HexFormat.of().formatHex(r.value()));
    }
    return m;
  }

  private static byte[] bytes(java.nio.ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
