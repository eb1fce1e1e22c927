package io.redpacket.cluster;

import static io.redpacket.cluster.JsonAnswer.answer;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A recovery's figures and setbacks as the drill reads them, against a loopback server answering as a JobManager does. */
class RecoveryTest {
  @Test
  void aJobThatFailedAgainOrACheckpointThatFailedAfterTheKillIsNamedWithWhy() throws Exception {
    long kill = 1_000_000L;
    HttpServer jm = jobManager("""
        {"history": [
          {"id": 9, "status": "COMPLETED", "trigger_timestamp": %d, "latest_ack_timestamp": %d},
          {"id": 8, "status": "FAILED", "trigger_timestamp": %d, "latest_ack_timestamp": 0},
          {"id": 7, "status": "FAILED", "trigger_timestamp": %d, "latest_ack_timestamp": 0},
          {"id": 6, "status": "FAILED", "trigger_timestamp": %d, "latest_ack_timestamp": 0}
        ]}""".formatted(kill + 20_000, kill + 21_500, kill + 9_000, kill + 300, kill - 5_000), """
        {"exceptionHistory": {"entries": [
          {"timestamp": %d, "taskName": "settle-2 (1/2)",
           "stacktrace": "org.apache.kafka.common.errors.TimeoutException: Timeout expired after 60000ms\\n\\tat x.Y.z(Y.java:9)"},
          {"timestamp": %d, "stacktrace": "java.util.concurrent.TimeoutException: taskmanager-1 is no longer reachable"},
          {"timestamp": %d, "stacktrace": "java.io.IOException: a failure of an earlier day"}
        ]}}""".formatted(kill + 12_000, kill + 1_800, kill - 60_000));
    try {
      FlinkRest rest = new FlinkRest("http://127.0.0.1:" + jm.getAddress().getPort());
      Recovery.Result r = Recovery.await(rest, () -> Map.of("j1", "redpacket-settlement"), "taskmanager-1", kill,
          Duration.ofSeconds(30));

      assertThat(r.recovered()).isEqualTo(21.5);
      assertThat(r.noticed()).as("the first failure after the kill").isEqualTo(1.8);
      // Checkpoint 7, in flight when the job failed at 1.8 s, failed with it: not a setback of its own.
      assertThat(r.setbacks()).containsExactlyInAnyOrder(
          "settlement failed again after 12.0 s: settle-2 (1/2): org.apache.kafka.common.errors.TimeoutException:"
              + " Timeout expired after 60000ms",
          "settlement checkpoint 8 triggered after 9.0 s FAILED");
      assertThat(r.describe()).endsWith("; setbacks: " + String.join("; ", r.setbacks()));
    } finally {
      jm.stop(0);
    }
  }

  @Test
  void aRecoveryWithoutSetbacksSaysNoneOfThem() throws Exception {
    long kill = 1_000_000L;
    HttpServer jm = jobManager("""
        {"history": [{"id": 3, "status": "COMPLETED", "trigger_timestamp": %d, "latest_ack_timestamp": %d}]}"""
        .formatted(kill + 7_000, kill + 7_400), """
        {"exceptionHistory": {"entries": [{"timestamp": %d, "stacktrace": "java.lang.Exception: lost"}]}}"""
        .formatted(kill + 1_500));
    try {
      Recovery.Result r = Recovery.await(new FlinkRest("http://127.0.0.1:" + jm.getAddress().getPort()),
          () -> Map.of("j1", "redpacket-allocation"), "taskmanager-2", kill, Duration.ofSeconds(30));
      assertThat(r.setbacks()).isEmpty();
      assertThat(r.describe()).doesNotContain("setbacks").contains("allocation 7.4");
    } finally {
      jm.stop(0);
    }
  }

  /** A loopback JobManager with one running job, {@code j1}, answering its checkpoint and exception history. */
  private static HttpServer jobManager(String checkpoints, String exceptions) throws java.io.IOException {
    HttpServer jm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jm.createContext("/jobs/overview", exchange -> answer(exchange, """
        {"jobs": [{"jid": "j1", "state": "RUNNING", "tasks": {"running": 4, "total": 4}}]}"""));
    jm.createContext("/jobs/j1/checkpoints", exchange -> answer(exchange, checkpoints));
    jm.createContext("/jobs/j1/exceptions", exchange -> answer(exchange, exceptions));
    jm.start();
    return jm;
  }
}
