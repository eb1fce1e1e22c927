package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  private static void answer(HttpExchange exchange, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
