package io.redpacket.cluster;

import io.redpacket.cluster.PipelineJobs.JobSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's three jobs on a session cluster: submitted from the shaded jar through Flink's REST
 * API, stopped with savepoints, resumed from them (or from the last retained checkpoint after a
 * crash) at any parallelism. What was submitted, the job ids and the last savepoints are kept in
 * {@code jobs.json} next to the cluster, so each of these is its own command.
 */
public final class Deployment {
  private final Cluster cluster;
  private final Path file;
  private JsonObject state;

  /** The cluster's own deployment (what `cluster up` submits and `jobs` manages). */
  public Deployment(Cluster cluster) {
    this(cluster, "pipeline");
  }

  /** A named deployment, e.g. the demo's, kept apart from the cluster's own. */
  public Deployment(Cluster cluster, String name) {
    this.cluster = cluster;
    this.file = cluster.root.resolve(name.equals("pipeline") ? "jobs.json" : "jobs-" + name + ".json");
    try {
      state = Files.exists(file) ? new JsonObject(Files.readString(file)) : new JsonObject().put("jobs", new JsonArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Uploads the jar and runs every job fresh; refuses if jobs of this deployment still run. */
  public void submit(Path jar, List<JobSpec> specs, int parallelism, PrintStream out) {
    requireNoneRunning();
    JsonArray jobs = new JsonArray();
    for (JobSpec s : specs) {
      jobs.add(new JsonObject().put("name", s.name()).put("entryClass", s.entryClass()).put("args", new JsonArray(s.args())));
    }
    state = new JsonObject().put("jar", jar.toAbsolutePath().toString()).put("jobs", jobs);
    start(parallelism, Map.of(), out);
  }

  /**
   * {@link #submit}, then waits up to {@code bound} for every job to run with a completed checkpoint. A job that
   * ends while they start (before anything was given to them: nothing is lost) is reported with its failure, the
   * others are cancelled and every job is submitted once more; a second such end is thrown.
   */
  public void submitAndAwait(Path jar, List<JobSpec> specs, int parallelism, Duration bound, PrintStream out) {
    submit(jar, specs, parallelism, out);
    try {
      awaitCheckpointed(Map.of(), bound);
    } catch (JobWaits.JobEnded ended) {
      out.println("  " + ended.getMessage());
      out.println("  cancelling the others and submitting every job once more ...");
      cancelAll(out);
      submit(jar, specs, parallelism, out);
      awaitCheckpointed(Map.of(), bound);
    }
  }

  /** Cancels every job of this deployment that is not finished (a demo's, at its end or left over), and waits for it. */
  public void cancelAll(PrintStream out) {
    List<String> cancelled = new ArrayList<>();
    for (var job : current().values()) {
      if (!job.terminal() && !job.state().equals("NOT ON THE CLUSTER")) {
        try {
          cluster.rest().cancel(job.id());
          cancelled.add(job.id());
          out.println("  cancelled " + job.name() + " (" + job.id() + ")");
        } catch (RuntimeException e) {
          out.println("  could not cancel " + job.name() + " (" + job.id() + "): " + e.getMessage());
        }
      }
    }
    if (!cancelled.isEmpty()) {
      // Their slots are free only once they are CANCELED.
      io.redpacket.kafka.Await.until("the cancelled jobs to end", Duration.ofSeconds(90), () -> cluster.rest().jobs()
          .stream().filter(j -> cancelled.contains(j.id())).allMatch(FlinkRest.Job::terminal));
    }
  }

  /** Jobs of this deployment as the cluster sees them now (name to job), in submission order. */
  public Map<String, FlinkRest.Job> current() {
    Map<String, FlinkRest.Job> byId = new LinkedHashMap<>();
    cluster.rest().jobs().forEach(j -> byId.put(j.id(), j));
    Map<String, FlinkRest.Job> out = new LinkedHashMap<>();
    for (JsonObject j : jobs()) {
      FlinkRest.Job job = byId.get(j.getString("jobId", ""));
      out.put(j.getString("name"), job != null ? job : new FlinkRest.Job(j.getString("jobId", "-"), j.getString("name"), "NOT ON THE CLUSTER"));
    }
    return out;
  }

  /** This deployment's jobs as on record, job id to name (a resumed job has a new id); no call to the cluster. */
  public synchronized Map<String, String> jobNames() {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonObject j : jobs()) {
      if (j.containsKey("jobId")) {
        out.put(j.getString("jobId"), j.getString("name"));
      }
    }
    return out;
  }

  /** Whether jobs were submitted here before (their ids and savepoints are on record). */
  public boolean ranBefore() {
    return !state.getJsonArray("jobs", new JsonArray()).isEmpty();
  }

  public int parallelism() {
    return state.getInteger("parallelism", 0);
  }

  /** Stops every running job with a savepoint and records where; returns name to savepoint. */
  public Map<String, String> stop(PrintStream out) {
    Map<String, String> points = new LinkedHashMap<>();
    List<JsonObject> running = new ArrayList<>();
    for (JsonObject j : jobs()) {
      if (isRunning(j.getString("jobId"))) {
        running.add(j);
      } else {
        out.printf("  %s is not running (%s); resume picks it up from %s%n", j.getString("name"),
            current().get(j.getString("name")).state(), j.containsKey("stoppedAt") ? "the savepoint it was stopped with"
                : "its newest retained checkpoint");
      }
    }
    long t0 = System.nanoTime();
    // All at once: each job's savepoint is its own, and stopping them one by one only adds up the waits.
    eachAtOnce(running, j -> {
      String path = cluster.rest().stopWithSavepoint(j.getString("jobId"), savepointDir(), Duration.ofMinutes(3));
      synchronized (this) {
        j.put("stoppedAt", path);
        points.put(j.getString("name"), path);
        save();
        out.printf("  stopped %s with a savepoint after %.1f s: %s%n", j.getString("name"), (System.nanoTime() - t0) / 1e9, path);
      }
    });
    return points;
  }

  /** Runs {@code action} for every job on threads of its own; rethrows the first failure once all are done. */
  private static void eachAtOnce(List<JsonObject> jobs, java.util.function.Consumer<JsonObject> action) {
    List<java.util.concurrent.CompletableFuture<Void>> all = new ArrayList<>();
    for (JsonObject j : jobs) {
      all.add(java.util.concurrent.CompletableFuture.runAsync(() -> action.accept(j), r -> new Thread(r, "job-operation").start()));
    }
    RuntimeException first = null;
    for (var f : all) {
      try {
        f.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (first == null) {
          first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Takes a savepoint of every running job; they go on. */
  public Map<String, String> savepoint(PrintStream out) {
    Map<String, String> points = new LinkedHashMap<>();
    for (JsonObject j : jobs()) {
      String id = j.getString("jobId");
      if (!isRunning(id)) {
        throw new IllegalArgumentException(j.getString("name") + " is not running: nothing to take a savepoint of");
      }
      String path = cluster.rest().savepoint(id, savepointDir(), Duration.ofMinutes(3));
      // Not a resume point: the job goes on and commits past it. Kept for a person to use with flink run -s.
      j.put("lastSavepoint", path);
      points.put(j.getString("name"), path);
      save();
      out.printf("  savepoint of %s: %s%n", j.getString("name"), path);
    }
    return points;
  }

  /**
   * Runs every job again at {@code parallelism} from where its last run ended: the savepoint it was
   * stopped with, or, when it ended otherwise (a crash, a lost JobManager), its newest retained
   * checkpoint. Never from anything older, which would commit again what was committed after it.
   */
  public void resume(int parallelism, PrintStream out) {
    requireNoneRunning();
    Map<String, String> from = new LinkedHashMap<>();
    for (JsonObject j : jobs()) {
      String point = j.getString("stoppedAt");
      if (point == null) {
        point = LocalFlink.latestCheckpoint(cluster.root.resolve("flink/checkpoints").resolve(j.getString("jobId", "-")))
            .map(p -> p.toUri().toString()).orElseThrow(() -> new IllegalArgumentException(j.getString("name")
                + " (job " + j.getString("jobId") + ") was not stopped with a savepoint and has no retained checkpoint under "
                + cluster.root.resolve("flink/checkpoints") + ": nothing to resume it from"));
        out.printf("  %s ended without a savepoint: from its newest retained checkpoint%n", j.getString("name"));
      }
      from.put(j.getString("name"), point);
    }
    start(parallelism, from, out);
  }

  /** Whether every job's last run ended with `jobs stop` (so resume uses savepoints). */
  public boolean stoppedWithSavepoints() {
    return jobs().stream().allMatch(j -> j.containsKey("stoppedAt"));
  }

  /** Completed checkpoints per job id so far (0 for a job not yet running). */
  public Map<String, Long> checkpointCounts() {
    return waits().checkpointCounts();
  }

  /**
   * Waits until every job runs and has completed a checkpoint beyond {@code before}: a checkpoint
   * completes only once all of a job's tasks run, so this is "recovered", not just "scheduled".
   *
   * @throws JobWaits.JobEnded at once if a job ended (Flink will not bring it back)
   */
  public void awaitCheckpointed(Map<String, Long> before, Duration bound) {
    waits().awaitCheckpointed(before, bound);
  }

  private JobWaits waits() {
    return new JobWaits(cluster.rest(), this::current);
  }

  private void start(int parallelism, Map<String, String> from, PrintStream out) {
    Path jar = Path.of(state.getString("jar"));
    if (!Files.exists(jar)) {
      throw new IllegalArgumentException("the jobs' jar " + jar + " is missing: build it with ./mvnw -DskipTests install");
    }
    FlinkRest rest = cluster.rest();
    String jarId = rest.uploadJar(jar);
    state.put("parallelism", parallelism);
    try {
      runAll(rest, jarId, parallelism, from, out);
    } finally {
      FlinkRest.deleteQuietly(rest, jarId, out); // one upload per submit would otherwise pile up
    }
  }

  private void runAll(FlinkRest rest, String jarId, int parallelism, Map<String, String> from, PrintStream out) {
    // All at once: each main runs in the JobManager and takes seconds to build its graph.
    eachAtOnce(jobs(), j -> {
      List<String> args = j.getJsonArray("args").stream().map(Object::toString).toList();
      String point = from.get(j.getString("name"));
      String id = rest.run(jarId, j.getString("entryClass"), args, parallelism, point);
      synchronized (this) {
        j.put("jobId", id);
        j.remove("stoppedAt"); // this run has not been stopped yet
        save();
        out.printf("  submitted %s at parallelism %d as job %s%s%n", j.getString("name"), parallelism, id,
            point == null ? "" : " from " + point);
      }
    });
  }

  private void requireNoneRunning() {
    if (state.getJsonArray("jobs").isEmpty()) {
      return;
    }
    for (var e : current().entrySet()) {
      if (!e.getValue().terminal() && !e.getValue().state().equals("NOT ON THE CLUSTER")) {
        throw new IllegalArgumentException(e.getKey() + " is still " + e.getValue().state() + " as job " + e.getValue().id()
            + ": stop it first (./redpacket jobs stop)");
      }
    }
  }

  private boolean isRunning(String jobId) {
    return jobId != null && cluster.rest().jobs().stream().anyMatch(j -> j.id().equals(jobId) && !j.terminal());
  }

  private String savepointDir() {
    return cluster.root.resolve("flink/savepoints").toUri().toString();
  }

  private List<JsonObject> jobs() {
    List<JsonObject> out = new ArrayList<>();
    state.getJsonArray("jobs", new JsonArray()).forEach(o -> out.add((JsonObject) o));
    return out;
  }

  private void save() {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, state.encodePrettily());
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
