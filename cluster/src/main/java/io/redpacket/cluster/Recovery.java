package io.redpacket.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How long a deployment's jobs took to recover from one process killed at {@code killMillis}, read from
 * Flink's REST API (its time stamps, not the drill's impressions):
 * <ul>
 *   <li>noticed: the earliest failure the JobManager recorded for any job after the kill
 *       ({@code /jobs/:id/exceptions});
 *   <li>running: when every job that went down (job or any task not RUNNING) had all its tasks RUNNING
 *       again ({@code /jobs/overview}, polled every 250 ms);
 *   <li>recovered: when every job had completed a checkpoint triggered after the kill
 *       ({@code /jobs/:id/checkpoints}: its last acknowledgement). A checkpoint completes only once all
 *       of a job's tasks run and its sinks can commit, so this is "processing again", and the figure the
 *       targets are about.
 *   <li>setbacks: what made a recovery take longer than one restart: a job that failed again after its first
 *       failure (each such failure's task and exception), and checkpoints that did not complete, triggered after
 *       the job's first failure (or, for a job that did not fail, after the kill).
 * </ul>
 */
public final class Recovery {
  private static final long POLL_MILLIS = 250;

  /**
   * One kill's figures, seconds after the kill; {@code noticed} and {@code running} are null when no job
   * failed or went down (a broker kill can leave every job running, only slower).
   */
  public record Result(String process, long killMillis, long recoveredMillis, Double noticed, Double running,
      double recovered, Map<String, Double> perJob, List<String> setbacks) {
    /** The drill's closing line for this kill: {@code recovery <process> <seconds> s}. */
    public String line() {
      return String.format(Locale.ROOT, "recovery %s %.1f s", process, recovered);
    }

    public String describe() {
      StringBuilder jobs = new StringBuilder();
      perJob.forEach((name, s) -> jobs.append(jobs.length() == 0 ? "" : ", ").append(name.replace("redpacket-", ""))
          .append(String.format(Locale.ROOT, " %.1f", s)));
      return String.format(Locale.ROOT, "failure noticed after %s, every job running again after %s, each with a"
          + " checkpoint triggered after the kill completed after %.1f s (%s)%s", seconds(noticed),
          running == null ? "- (none went down)" : seconds(running), recovered, jobs,
          setbacks.isEmpty() ? "" : "; setbacks: " + String.join("; ", setbacks));
    }

    private static String seconds(Double s) {
      return s == null ? "-" : String.format(Locale.ROOT, "%.1f s", s);
    }
  }

  private Recovery() {}

  /**
   * Polls until every job of {@code jobs} (id to name, asked again each time: a resumed job has a new id)
   * has completed a checkpoint triggered after {@code killMillis}; throws if that takes longer than
   * {@code bound}. The JobManager not answering (it was the one killed) counts as not yet.
   */
  public static Result await(FlinkRest rest, Supplier<Map<String, String>> jobs, String process, long killMillis,
      Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    List<String> wentDown = new ArrayList<>();
    Map<String, Long> runningAgain = new LinkedHashMap<>();
    Map<String, Long> checkpointed = new LinkedHashMap<>();
    Map<String, String> ids = Map.of();
    while (true) {
      long now = System.currentTimeMillis();
      try {
        ids = jobs.get();
        Map<String, FlinkRest.TaskStates> states = rest.taskStates();
        for (var e : ids.entrySet()) {
          String name = e.getValue();
          FlinkRest.TaskStates st = states.get(e.getKey());
          if (st == null || !st.allRunning()) {
            if (!wentDown.contains(name)) {
              wentDown.add(name);
            }
            runningAgain.remove(name);
          } else if (wentDown.contains(name) && !runningAgain.containsKey(name)) {
            runningAgain.put(name, now);
          }
          if (!checkpointed.containsKey(name) && st != null && st.state().equals("RUNNING")) {
            rest.checkpointHistory(e.getKey()).stream()
                .filter(c -> c.completed() && c.triggeredMillis() >= killMillis)
                .mapToLong(FlinkRest.Checkpoint::ackedMillis).min()
                .ifPresent(acked -> checkpointed.put(name, acked));
          }
        }
      } catch (RuntimeException notAnswering) {
        ids.values().forEach(name -> {
          if (!wentDown.contains(name)) {
            wentDown.add(name);
          }
        });
      }
      if (!ids.isEmpty() && checkpointed.keySet().containsAll(ids.values())) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the jobs did not recover within " + bound.toSeconds() + " s of the kill of "
            + process + ": checkpointed since " + checkpointed.keySet() + " of " + ids.values());
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the jobs to recover", e);
      }
    }
    Long noticed = null;
    List<String> setbacks = new ArrayList<>();
    for (var e : ids.entrySet()) {
      String job = e.getValue().replace("redpacket-", "");
      long recoveredAt = checkpointed.get(e.getValue());
      long restartedAt = killMillis; // a job that did not fail: every checkpoint since the kill counts
      try {
        List<FlinkRest.Failure> after = rest.failures(e.getKey()).stream()
            .filter(f -> f.timestamp() >= killMillis && f.timestamp() <= recoveredAt).toList();
        if (!after.isEmpty()) {
          restartedAt = after.get(0).timestamp();
          if (noticed == null || restartedAt < noticed) {
            noticed = restartedAt;
          }
        }
        after.stream().skip(1).forEach(f -> setbacks.add(String.format(Locale.ROOT, "%s failed again after %.1f s: %s",
            job, (f.timestamp() - killMillis) / 1000.0, f.what())));
      } catch (RuntimeException ignored) {
        // a job without an exception history (a fresh one, resumed after a JobManager kill)
      }
      long from = restartedAt; // a checkpoint in flight when the job failed fails with it: no setback of its own
      try {
        rest.checkpointHistory(e.getKey()).stream()
            .filter(c -> !c.completed() && c.triggeredMillis() > from && c.triggeredMillis() <= recoveredAt)
            .forEach(c -> setbacks.add(String.format(Locale.ROOT, "%s checkpoint %d triggered after %.1f s %s", job,
                c.id(), (c.triggeredMillis() - killMillis) / 1000.0, c.status())));
      } catch (RuntimeException ignored) {
        // the history is what Flink still keeps; the recovery's figures above stand without it
      }
    }
    Map<String, Double> perJob = new LinkedHashMap<>();
    checkpointed.forEach((name, t) -> perJob.put(name, (t - killMillis) / 1000.0));
    long recovered = checkpointed.values().stream().mapToLong(Long::longValue).max().orElse(killMillis);
    Double running = runningAgain.isEmpty() ? null
        : (runningAgain.values().stream().mapToLong(Long::longValue).max().getAsLong() - killMillis) / 1000.0;
    return new Result(process, killMillis, recovered, noticed == null ? null : (noticed - killMillis) / 1000.0, running,
        (recovered - killMillis) / 1000.0, perJob, setbacks);
  }
}
