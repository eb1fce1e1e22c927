package io.redpacket.launcher;

import io.redpacket.cluster.LocalFlink;
import io.redpacket.cluster.PipelineJobs;
import io.redpacket.codec.Topics;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.audit.AuditJob;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.LocalKafka;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * The hostile-input drill: the whole pipeline on a fresh local stack (a real broker, the four jobs
 * on one MiniCluster, as {@code ./redpacket stack up} runs them) takes a seeded wave (a pool, shakes
 * with retries, opens by owners and others, shares and claims) while every bad record of
 * {@link HostileRecords} is written among it to the input topics. Then it checks that no job failed or
 * restarted, that each bad record has its dead letter with its reason (or its ordinary answer), that
 * nothing good was dead-lettered, that the audits are clean and the continuous audit found nothing,
 * and that the good records' grants and outcomes equal, byte for byte, those of a calm run: the same
 * good records alone, allocated again by a bounded allocation job on topics of their own. Last, its
 * HTTP half ({@link HostileHttp}): an ingest in front of the same jobs, hostile requests of every kind
 * among good users' shakes; each hostile one a clear 4xx or a closed connection, every good one answered.
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
      int goodOutcomes, Map<String, String> reasons, int hostileHttp, int goodHttp) {
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
          PipelineJobs.slotsFor(settings.parallelism()) + settings.parallelism())) {
        flink = f;
        startJobs();
        out.printf("hostile drill: broker and the four jobs up after %.1f s%n", (System.nanoTime() - t0) / 1e9);
        HostileWave wave = new HostileWave(settings, out, bootstrap, run, calm, failures);
        wave.write();
        out.printf("hostile drill: wave and %d hostile records written, answered and settled after %.1f s%n",
            wave.written.size(), (System.nanoTime() - t0) / 1e9);
        HostileVerdict verdict = new HostileVerdict(out, bootstrap, run, calm, flink, failures);
        verdict.checkJobs(jobs);
        Result result = verdict.checkRecords(wave.written);
        verdict.checkCalmRun(wave.goodShakeIds);
        // The HTTP half, after the records' checks (its pool's grants are not the calm run's), then the jobs again.
        HostileHttp.Result http = HostileHttp.run(bootstrap, run, out, failures);
        verdict.checkJobs(jobs);
        out.printf("hostile drill: done after %.1f s: %s%n", (System.nanoTime() - t0) / 1e9,
            failures.isEmpty() ? "PASSED" : failures.size() + " FAILURE(S)");
        failures.forEach(x -> out.println("  FAILED: " + x));
        return new Result(List.copyOf(failures), result.hostile(), result.deadLetters(), result.answered(),
            result.refusedByBroker(), result.grants(), result.goodOutcomes(), result.reasons(), http.hostile(),
            http.goodAnswered());
      }
    } finally {
      LocalKafka.deleteRecursively(settings.dataDir().resolve("flink"));
    }
  }

  /** The four jobs as the local stack runs them, with short waits for what never comes (so the drill is short). */
  private void startJobs() throws Exception {
    for (PipelineJobs.JobSpec job : PipelineJobs.pipeline(bootstrap, run, Duration.ofSeconds(30), Duration.ofSeconds(20))) {
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

}
