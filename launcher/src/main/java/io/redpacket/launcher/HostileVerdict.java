package io.redpacket.launcher;

import io.redpacket.avro.DeadLetter;
import io.redpacket.cluster.LocalFlink;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.TopicReader;
import io.redpacket.launcher.HostileRecords.Expect;
import io.redpacket.launcher.HostileRecords.Hostile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What the hostile drill checks once its wave is settled: (a) the jobs never failed, (b) each bad record has its
 * dead letter with its reason or its answer, and nothing good was dead-lettered, (d) the good records' grants and
 * outcomes equal a calm run's byte for byte. Each broken promise is added to {@code failures}.
 */
final class HostileVerdict {
  private final PrintStream out;
  private final String bootstrap;
  private final String run;
  private final String calm;
  private final LocalFlink flink;
  private final List<String> failures;

  HostileVerdict(PrintStream out, String bootstrap, String run, String calm, LocalFlink flink, List<String> failures) {
    this.out = out;
    this.bootstrap = bootstrap;
    this.run = run;
    this.calm = calm;
    this.flink = flink;
    this.failures = failures;
  }

  /** (a) Every job RUNNING, never restarted, no failure in its exception history. */
  void checkJobs(Map<String, JobClient> jobs) throws Exception {
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
  HostileDrill.Result checkRecords(Map<Hostile, RecordMetadata> written) {
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
    return new HostileDrill.Result(List.of(), written.size(), dead, answered, refused, 0, 0, reasons, 0, 0);
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
  void checkCalmRun(Set<String> goodShakeIds) throws Exception {
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
