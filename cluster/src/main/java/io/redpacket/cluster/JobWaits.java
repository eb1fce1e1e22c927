package io.redpacket.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Waits on a deployment's jobs through Flink's REST API, and says what each job is doing when a wait fails. */
public final class JobWaits {
  /** A job of the deployment ended (failed, was cancelled or finished) while every job was awaited. */
  public static final class JobEnded extends IllegalStateException {
    JobEnded(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final FlinkRest rest;
  private final Supplier<Map<String, FlinkRest.Job>> jobs;

  /** @param jobs the deployment's jobs as the cluster sees them now, by name */
  JobWaits(FlinkRest rest, Supplier<Map<String, FlinkRest.Job>> jobs) {
    this.rest = rest;
    this.jobs = jobs;
  }

  /** Completed checkpoints per job id so far (0 for a job not yet running). */
  Map<String, Long> checkpointCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (var job : jobs.get().values()) {
      try {
        out.put(job.id(), job.running() ? rest.completedCheckpoints(job.id()) : 0L);
      } catch (RuntimeException notYet) {
        out.put(job.id(), 0L);
      }
    }
    return out;
  }

  /**
   * Waits until every job runs and has completed a checkpoint beyond {@code before}: a checkpoint
   * completes only once all of a job's tasks run, so this is "recovered", not just "scheduled".
   */
  void awaitCheckpointed(Map<String, Long> before, Duration bound) {
    try {
      awaitNewCheckpoints(before, bound);
    } catch (IllegalStateException | io.redpacket.kafka.Await.Abort late) {
      String message = late.getMessage() + "; the jobs then: " + describeJobs()
          + " (each job's history: the Flink web UI, or the JobManager's and TaskManagers' logs)";
      // The wait aborts only when a job ended.
      throw late instanceof io.redpacket.kafka.Await.Abort ? new JobEnded(message, late) : new IllegalStateException(message, late);
    }
  }

  /** Each job's state, completed checkpoints and latest failure, for an error that says what did not happen. */
  private String describeJobs() {
    List<String> parts = new ArrayList<>();
    for (var named : jobs.get().entrySet()) {
      FlinkRest.Job job = named.getValue();
      String line = named.getKey() + " " + job.state();
      try {
        line += ", " + rest.completedCheckpoints(job.id()) + " checkpoints completed";
        String failure = rest.lastFailure(job.id());
        line += failure == null ? ", no failure" : ", latest failure: " + failure;
      } catch (RuntimeException unanswered) {
        line += " (the JobManager did not say more: " + unanswered.getMessage() + ")";
      }
      parts.add(line);
    }
    return String.join("; ", parts);
  }

  private void awaitNewCheckpoints(Map<String, Long> before, Duration bound) {
    io.redpacket.kafka.Await.until("every job running with a new completed checkpoint", bound, () -> {
      Map<String, FlinkRest.Job> now = jobs.get();
      for (var job : now.entrySet()) {
        if (job.getValue().terminal()) {
          // Flink restarts a failing job by itself; one that ended will not come back: say so now, not at the bound.
          throw new io.redpacket.kafka.Await.Abort(job.getKey() + " ended " + job.getValue().state()
              + " instead of running with a new completed checkpoint");
        }
      }
      for (var job : now.values()) {
        if (!job.running()) {
          return false;
        }
        try {
          if (rest.completedCheckpoints(job.id()) <= before.getOrDefault(job.id(), 0L)) {
            return false;
          }
        } catch (RuntimeException notYet) {
          return false;
        }
      }
      return true;
    });
  }
}
