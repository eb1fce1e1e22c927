package io.redpacket.cluster;

import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.audit.AuditJob;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the pipeline runs on a cluster: its jobs, their arguments, the jar they come from and the slots they take. */
public final class PipelineJobs {
  /** One job: its name on the cluster, entry class in the shaded jar, and arguments. */
  public record JobSpec(String name, String entryClass, List<String> args) {}

  private PipelineJobs() {}

  /** This checkout (the launcher script passes it as redpacket.home). */
  public static Path home() {
    return Path.of(System.getProperty("redpacket.home", "."));
  }

  /** The jobs' shaded jar of this checkout. */
  public static Path defaultJar() {
    return home().resolve("jobs/target/redpacket-jobs.jar");
  }

  /** How long a refund waits for requests stamped before the expiry: half the expiry, within 5 s and 60 s. */
  static long grace(Duration expiry) {
    return Math.max(5, Math.min(60, expiry.toSeconds() / 2));
  }

  /** The jobs with their arguments (allocation, settlement, sharing, the continuous audit), as the local stack runs them too. */
  public static List<JobSpec> pipeline(String bootstrap, String topicPrefix, Duration expiry, Duration shareExpiry) {
    List<String> common = new ArrayList<>(List.of("--bootstrap", bootstrap));
    if (!topicPrefix.isEmpty()) {
      common.addAll(List.of("--topic-prefix", topicPrefix));
    }
    List<String> settlement = new ArrayList<>(common);
    // A short (demo) expiry gets a shorter grace for late opens, which the refund waits for: half the expiry,
    // at least 5 s and at most a minute. The grace must cover a broker's failover (an open written in time can
    // reach the log only once its partition has a new leader): with 5 s, a drill's broker kill once left 1,815
    // opens sent in time answered EXPIRED.
    settlement.addAll(List.of("--expiry-seconds", String.valueOf(Math.max(1, expiry.toSeconds())),
        "--open-grace-seconds", String.valueOf(grace(expiry))));
    List<String> sharing = new ArrayList<>(common);
    // The same for late claims.
    sharing.addAll(List.of("--expiry-seconds", String.valueOf(Math.max(1, shareExpiry.toSeconds())),
        "--claim-grace-seconds", String.valueOf(grace(shareExpiry))));
    return List.of(new JobSpec(AllocationJob.NAME, AllocationJob.class.getName(), common),
        new JobSpec(SettlementJob.NAME, SettlementJob.class.getName(), settlement),
        new JobSpec(SharingJob.NAME, SharingJob.class.getName(), sharing),
        // The continuous audit: reads what the others write, writes audit-results and its metrics.
        new JobSpec(AuditJob.NAME, AuditJob.class.getName(), common));
  }

  /** Task slots the pipeline takes: three jobs at {@code parallelism}, and the audit, which runs at 1. */
  public static int slotsFor(int parallelism) {
    return 3 * parallelism + 1;
  }
}
