package io.redpacket.cluster;

import static io.redpacket.cluster.JsonAnswer.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the drills and the cluster demo wait for, against a loopback server answering as a JobManager does. */
class DeploymentTest {
  @TempDir
  Path dir;

  @Test
  void aJobThatEndedWhileTheOthersStartFailsTheWaitAtOnceWithItsFailure() throws Exception {
    HttpServer jm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jm.createContext("/jobs/overview", exchange -> answer(exchange, """
        {"jobs": [{"jid": "a1", "name": "redpacket-allocation", "state": "RUNNING"},
                  {"jid": "s1", "name": "redpacket-sharing", "state": "FAILED"}]}"""));
    jm.createContext("/jobs/a1/checkpoints", exchange -> answer(exchange, """
        {"counts": {"completed": 0}, "history": []}"""));
    jm.createContext("/jobs/s1/checkpoints", exchange -> answer(exchange, """
        {"counts": {"completed": 0}, "history": []}"""));
    jm.createContext("/jobs/a1/exceptions", exchange -> answer(exchange, """
        {"exceptionHistory": {"entries": []}}"""));
    jm.createContext("/jobs/s1/exceptions", exchange -> answer(exchange, """
        {"exceptionHistory": {"entries": [{"timestamp": 7, "taskName": "share (1/2)",
          "stacktrace": "org.apache.flink.runtime.client.JobInitializationException: could not start\\n\\tat x.Y.z(Y.java:1)"}]}}"""));
    jm.start();
    try {
      Cluster cluster = Cluster.create(dir, dir, new ClusterSettings(19092, jm.getAddress().getPort(), 2, 7, 8));
      Files.writeString(dir.resolve("jobs-demo.json"), """
          {"jobs": [{"name": "redpacket-allocation", "jobId": "a1"}, {"name": "redpacket-sharing", "jobId": "s1"}]}""");
      Deployment jobs = new Deployment(cluster, "demo");
      // A job that ended never comes back by itself: the wait says so at once, not after its bound.
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(
          () -> jobs.awaitCheckpointed(Map.of(), Duration.ofMinutes(3)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("redpacket-sharing ended FAILED")
          .hasMessageContaining("redpacket-sharing FAILED, 0 checkpoints completed, latest failure: share (1/2): "
              + "org.apache.flink.runtime.client.JobInitializationException: could not start")
          .hasMessageContaining("redpacket-allocation RUNNING, 0 checkpoints completed, no failure"));
      assertThat(jobs.current()).containsOnlyKeys("redpacket-allocation", "redpacket-sharing");
    } finally {
      jm.stop(0);
    }
  }

  @Test
  void whenAJobEndsWhileTheJobsFirstStartEveryJobIsSubmittedOnceMoreAndAwaited() throws Exception {
    // A JobManager on which the first sharing job fails at once; every other job runs and checkpoints.
    Map<String, String> states = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer jm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jm.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (method.equals("POST") && path.equals("/jars/upload")) {
        exchange.getRequestBody().readAllBytes();
        answer(exchange, "{\"filename\": \"/tmp/up/abc_jobs.jar\"}");
      } else if (method.equals("POST") && path.startsWith("/jars/abc_jobs.jar/run")) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String id = (body.contains("Sharing") ? "sharing-" : "allocation-") + runs.incrementAndGet();
        boolean firstSharing = id.startsWith("sharing-") && states.keySet().stream().noneMatch(k -> k.startsWith("sharing-"));
        states.put(id, firstSharing ? "FAILED" : "RUNNING");
        answer(exchange, "{\"jobid\": \"" + id + "\"}");
      } else if (method.equals("DELETE") && path.startsWith("/jars/")) {
        answer(exchange, "{}");
      } else if (method.equals("PATCH") && path.startsWith("/jobs/")) {
        states.put(path.substring("/jobs/".length()), "CANCELED");
        answer(exchange, "{}");
      } else if (path.equals("/jobs/overview")) {
        StringBuilder jobs = new StringBuilder();
        states.forEach((id, state) -> jobs.append(jobs.length() == 0 ? "" : ",")
            .append("{\"jid\": \"").append(id).append("\", \"name\": \"x\", \"state\": \"").append(state).append("\"}"));
        answer(exchange, "{\"jobs\": [" + jobs + "]}");
      } else if (path.endsWith("/checkpoints")) {
        answer(exchange, "{\"counts\": {\"completed\": 1}, \"history\": []}");
      } else if (path.endsWith("/exceptions")) {
        answer(exchange, path.contains("sharing") && "FAILED".equals(states.get(path.split("/")[2]))
            ? "{\"exceptionHistory\": {\"entries\": [{\"timestamp\": 7, \"taskName\": \"share (1/2)\","
                + " \"stacktrace\": \"java.lang.IllegalStateException: broken at start\"}]}}"
            : "{\"exceptionHistory\": {\"entries\": []}}");
      } else {
        exchange.sendResponseHeaders(404, -1);
        exchange.close();
      }
    });
    jm.start();
    try {
      Cluster cluster = Cluster.create(dir, dir, new ClusterSettings(19092, jm.getAddress().getPort(), 2, 7, 8));
      Path jar = Files.writeString(dir.resolve("jobs.jar"), "not really a jar");
      var specs = List.of(new PipelineJobs.JobSpec("redpacket-allocation", "io.redpacket.Allocation", List.of()),
          new PipelineJobs.JobSpec("redpacket-sharing", "io.redpacket.Sharing", List.of()));
      java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
      Deployment jobs = new Deployment(cluster, "demo");

      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> jobs.submitAndAwait(jar, specs, 2, Duration.ofMinutes(3),
          new java.io.PrintStream(printed, true, StandardCharsets.UTF_8)));

      assertThat(jobs.current().values()).extracting(FlinkRest.Job::state).containsOnly("RUNNING");
      assertThat(jobs.current().values()).extracting(FlinkRest.Job::id).noneMatch(id -> states.get(id).equals("FAILED"));
      assertThat(states.values()).containsExactlyInAnyOrder("FAILED", "CANCELED", "RUNNING", "RUNNING");
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("redpacket-sharing ended FAILED", "share (1/2): java.lang.IllegalStateException: broken at start",
              "submitting every job once more");
    } finally {
      jm.stop(0);
    }
  }

  @Test
  void aJobThatEndsAgainAfterTheSecondSubmissionFailsTheStart() throws Exception {
    HttpServer jm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    jm.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/jars/upload")) {
        exchange.getRequestBody().readAllBytes();
        answer(exchange, "{\"filename\": \"/tmp/up/abc_jobs.jar\"}");
      } else if (path.endsWith("/run")) {
        exchange.getRequestBody().readAllBytes();
        answer(exchange, "{\"jobid\": \"job-" + runs.incrementAndGet() + "\"}");
      } else if (path.equals("/jobs/overview")) {
        // Every job submitted fails at once.
        StringBuilder jobs = new StringBuilder();
        for (int n = 1; n <= runs.get(); n++) {
          jobs.append(n == 1 ? "" : ",").append("{\"jid\": \"job-").append(n).append("\", \"name\": \"x\", \"state\": \"FAILED\"}");
        }
        answer(exchange, "{\"jobs\": [" + jobs + "]}");
      } else if (path.endsWith("/checkpoints")) {
        answer(exchange, "{\"counts\": {\"completed\": 0}, \"history\": []}");
      } else {
        exchange.getRequestBody().readAllBytes();
        answer(exchange, path.endsWith("/exceptions") ? "{\"exceptionHistory\": {\"entries\": []}}" : "{}");
      }
    });
    jm.start();
    try {
      Cluster cluster = Cluster.create(dir, dir, new ClusterSettings(19092, jm.getAddress().getPort(), 2, 7, 8));
      Path jar = Files.writeString(dir.resolve("jobs.jar"), "not really a jar");
      var specs = List.of(new PipelineJobs.JobSpec("redpacket-allocation", "io.redpacket.Allocation", List.of()));
      Deployment jobs = new Deployment(cluster, "demo");
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> jobs.submitAndAwait(jar, specs, 2,
          Duration.ofMinutes(3), new java.io.PrintStream(java.io.OutputStream.nullOutputStream())))
          .isInstanceOf(JobWaits.JobEnded.class)
          .hasMessageContaining("redpacket-allocation ended FAILED"));
      assertThat(runs.get()).isEqualTo(2);
    } finally {
      jm.stop(0);
    }
  }

}
