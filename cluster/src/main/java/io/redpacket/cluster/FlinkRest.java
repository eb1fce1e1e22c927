package io.redpacket.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Flink's REST API, as a data engineer's tooling uses it: upload the shaded jar, run a job from it
 * (optionally from a savepoint, at a parallelism), list jobs, take savepoints, stop with a
 * savepoint, cancel. Errors carry Flink's own message.
 */
public final class FlinkRest {
  private final String base;
  /** One client for every call: it keeps its connections and threads, and commands make many calls. */
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  FlinkRest(String base) {
    this.base = base;
  }

  public record Job(String id, String name, String state) {
    public boolean running() {
      return state.equals("RUNNING");
    }

    public boolean terminal() {
      return List.of("FINISHED", "CANCELED", "FAILED").contains(state);
    }
  }

  /** Registered TaskManagers, or -1 when the JobManager does not answer. */
  public int taskManagers() {
    try {
      return get("/overview").getInteger("taskmanagers", 0);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  public JsonObject overview() {
    return get("/overview");
  }

  /** Uploads a jar through /jars/upload; returns the id Flink gave it. */
  String uploadJar(Path jar) {
    try {
      String boundary = "----redpacket" + UUID.randomUUID();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
          + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      body.write(Files.readAllBytes(jar));
      body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      JsonObject r = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), Duration.ofMinutes(2));
      String file = r.getString("filename");
      return Path.of(file).getFileName().toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + jar + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes an uploaded jar from the JobManager's upload folder. Jobs already run from it are not
   * touched: submitting put their classes on the blob server with the job.
   */
  void deleteJar(String jarId) {
    send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId)).DELETE(), Duration.ofSeconds(30));
  }

  /** {@link #deleteJar}, for clean-up: a failure is printed, not thrown. */
  static void deleteQuietly(FlinkRest rest, String jarId, java.io.PrintStream out) {
    try {
      rest.deleteJar(jarId);
    } catch (RuntimeException e) {
      out.println("  (could not delete the uploaded jar " + jarId + ": " + e.getMessage() + ")");
    }
  }

  /**
   * Runs an uploaded jar's entry class as a job; returns its id.
   *
   * @param savepoint resume from this savepoint or retained checkpoint, or null for a fresh start
   */
  String run(String jarId, String entryClass, List<String> args, int parallelism, String savepoint) {
    JsonObject req = new JsonObject().put("entryClass", entryClass).put("programArgsList", new JsonArray(args))
        .put("parallelism", parallelism);
    if (savepoint != null) {
      req.put("savepointPath", savepoint).put("allowNonRestoredState", false);
    }
    return post("/jars/" + jarId + "/run", req, Duration.ofMinutes(2)).getString("jobid");
  }

  public List<Job> jobs() {
    List<Job> out = new ArrayList<>();
    for (Object o : get("/jobs/overview").getJsonArray("jobs")) {
      JsonObject j = (JsonObject) o;
      out.add(new Job(j.getString("jid"), j.getString("name"), j.getString("state")));
    }
    return out;
  }

  /** A job's tasks as the JobManager sees them: every one RUNNING, and the job itself RUNNING. */
  public record TaskStates(String jobId, String state, int running, int total) {
    public boolean allRunning() {
      return state.equals("RUNNING") && total > 0 && running == total;
    }
  }

  /** Every job's state and task counts, by job id (one call: {@code /jobs/overview}). */
  public java.util.Map<String, TaskStates> taskStates() {
    java.util.Map<String, TaskStates> out = new java.util.LinkedHashMap<>();
    for (Object o : get("/jobs/overview").getJsonArray("jobs")) {
      JsonObject j = (JsonObject) o;
      JsonObject tasks = j.getJsonObject("tasks", new JsonObject());
      out.put(j.getString("jid"), new TaskStates(j.getString("jid"), j.getString("state"), tasks.getInteger("running", 0),
          tasks.getInteger("total", 0)));
    }
    return out;
  }

  /** One checkpoint of a job's recent history: its status and when it was triggered and last acknowledged (epoch ms). */
  public record Checkpoint(long id, String status, long triggeredMillis, long ackedMillis) {
    public boolean completed() {
      return status.equals("COMPLETED");
    }
  }

  /** The job's recent checkpoints (Flink keeps the last few, {@code web.checkpoints.history}, 10 by default). */
  public List<Checkpoint> checkpointHistory(String jobId) {
    List<Checkpoint> out = new ArrayList<>();
    for (Object o : get("/jobs/" + jobId + "/checkpoints").getJsonArray("history", new JsonArray())) {
      JsonObject c = (JsonObject) o;
      out.add(new Checkpoint(c.getLong("id", -1L), c.getString("status", ""), c.getLong("trigger_timestamp", 0L),
          c.getLong("latest_ack_timestamp", 0L)));
    }
    return out;
  }

  /** One failure of a job's exception history: when the JobManager handled it, and what failed (see {@link #lastFailure}). */
  public record Failure(long timestamp, String what) {}

  /** The job's recent failures ({@code /jobs/:id/exceptions}), oldest first. */
  public List<Failure> failures(String jobId) {
    List<Failure> out = new ArrayList<>();
    for (Object o : get("/jobs/" + jobId + "/exceptions").getJsonObject("exceptionHistory", new JsonObject())
        .getJsonArray("entries", new JsonArray())) {
      JsonObject e = (JsonObject) o;
      String trace = e.getString("stacktrace", e.getString("exceptionName", "?"));
      int end = trace.indexOf('\n');
      String task = e.getString("taskName");
      out.add(new Failure(e.getLong("timestamp", 0L),
          (task == null ? "" : task + ": ") + (end < 0 ? trace : trace.substring(0, end)).strip()));
    }
    out.sort(java.util.Comparator.comparingLong(Failure::timestamp));
    return out;
  }

  /**
   * The job's latest failure as Flink's exception history has it: the failing task, if any, and the first line of
   * the stack trace (the exception and its message); null when the job has not failed.
   */
  public String lastFailure(String jobId) {
    List<Failure> all = failures(jobId);
    return all.isEmpty() ? null : all.get(all.size() - 1).what();
  }

  /** Slots in use on each registered TaskManager, by its resource id ({@code taskmanager-N}). */
  public java.util.Map<String, Integer> usedSlots() {
    java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
    for (Object o : get("/taskmanagers").getJsonArray("taskmanagers", new JsonArray())) {
      JsonObject tm = (JsonObject) o;
      out.put(tm.getString("id"), tm.getInteger("slotsNumber", 0) - tm.getInteger("freeSlots", 0));
    }
    return out;
  }

  /** Completed checkpoints of a job so far. */
  public long completedCheckpoints(String jobId) {
    return get("/jobs/" + jobId + "/checkpoints").getJsonObject("counts").getLong("completed", 0L);
  }

  /**
   * Stops a job with a savepoint (no drain: timers stay, the job goes on from it); returns the savepoint's path.
   * A job in the middle of a restart (a task failed and is being redeployed) refuses the savepoint because not all
   * its tasks run: then this waits, within {@code timeout}, until every task runs again and asks once more.
   */
  String stopWithSavepoint(String jobId, String targetDir, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int attempt = 1; ; attempt++) {
      String trigger = post("/jobs/" + jobId + "/stop", new JsonObject().put("targetDirectory", targetDir)
          .put("drain", false), Duration.ofSeconds(30)).getString("request-id");
      try {
        return awaitSavepoint(jobId, trigger, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      } catch (IllegalStateException e) {
        boolean restarting = String.valueOf(e.getMessage()).contains("Not all required tasks are currently running");
        if (!restarting || attempt >= 5 || System.nanoTime() >= deadline) {
          throw e;
        }
        awaitAllTasksRunning(jobId, deadline);
      }
    }
  }

  /** Waits until the job and each of its tasks run (a restart done), or the deadline passes. */
  private void awaitAllTasksRunning(String jobId, long deadlineNanos) {
    while (System.nanoTime() < deadlineNanos) {
      JsonObject job = get("/jobs/" + jobId);
      boolean all = "RUNNING".equals(job.getString("state"));
      for (Object v : job.getJsonArray("vertices", new JsonArray())) {
        all &= "RUNNING".equals(((JsonObject) v).getString("status"));
      }
      if (all) {
        return;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Takes a savepoint of a running job, which goes on; returns its path. */
  String savepoint(String jobId, String targetDir, Duration timeout) {
    String trigger = post("/jobs/" + jobId + "/savepoints", new JsonObject().put("target-directory", targetDir)
        .put("cancel-job", false), Duration.ofSeconds(30)).getString("request-id");
    return awaitSavepoint(jobId, trigger, timeout);
  }

  void cancel(String jobId) {
    send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()), Duration.ofSeconds(30));
  }

  private String awaitSavepoint(String jobId, String trigger, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject r = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if ("COMPLETED".equals(r.getJsonObject("status").getString("id"))) {
        JsonObject op = r.getJsonObject("operation", new JsonObject());
        if (op.containsKey("failure-cause")) {
          JsonObject cause = op.getJsonObject("failure-cause");
          throw new IllegalStateException("the savepoint of job " + jobId + " failed: "
              + cause.getString("class", "") + " " + cause.getString("stack-trace", "").lines().limit(3).toList());
        }
        return op.getString("location");
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the savepoint of job " + jobId + " did not complete within " + timeout.toSeconds()
        + " s; see the Flink web UI " + base);
  }

  private JsonObject get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), Duration.ofSeconds(10));
  }

  private JsonObject post(String path, JsonObject body, Duration timeout) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())), timeout);
  }

  private JsonObject send(HttpRequest.Builder request, Duration timeout) {
    HttpResponse<String> r;
    try {
      r = HTTP.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("the Flink JobManager at " + base + " does not answer (" + e + "): is the cluster up?"
          + " ./redpacket cluster status", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    JsonObject json = r.body() == null || r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
    if (r.statusCode() >= 300) {
      JsonArray errors = json.getJsonArray("errors", new JsonArray());
      String first = errors.isEmpty() ? r.body() : errors.getString(0).lines().limit(12)
          .reduce((a, b) -> a + "\n" + b).orElse("");
      throw new IllegalStateException("Flink answered " + r.statusCode() + " to " + r.request().method() + " "
          + r.request().uri().getPath() + ": " + first);
    }
    return json;
  }
}
