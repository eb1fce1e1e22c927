package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.kafka.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Flink process that dies while the cluster waits for it is started again, as a process supervisor
 * would, and why it died is kept. CI's chaos drill once failed outright on a TaskManager, restarted after
 * its kill, whose RPC system did not start; all it printed was the middle of a stack trace.
 */
class RelaunchTest {
  private static final Path FLINK_CONF = Path.of("..", "flink-conf");

  @TempDir
  Path dir;

  @Test
  void aTaskManagerThatDiesWhileStartingIsStartedAgainAndItsCauseIsReported() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("localhost"))) {
      // The TaskManager's RPC port is held by this test, so its RPC system fails to start, as on CI. The
      // JobManager's ports are free ones, not the configuration's, so a cluster running beside is no matter.
      Path conf = Files.createDirectories(dir.resolve("conf"));
      String shipped = Files.readString(FLINK_CONF.resolve("config.yaml"));
      assertThat(shipped).contains("port: 6123");
      Files.writeString(conf.resolve("config.yaml"), shipped.replace("port: 6123", "port: " + freePort())
          + "\ntaskmanager.rpc.port: " + taken.getLocalPort() + "\n");
      int restPort = freePort();
      Cluster cluster = Cluster.create(dir.resolve("cluster"), conf, new ClusterSettings(29092, restPort, 1, 2, 2));
      Path log = cluster.dir("taskmanager-1").resolve("log/taskmanager-1.log");
      Thread release = new Thread(() -> {
        // Freed once the first start has failed on it: the next start finds the port free.
        Await.until("the TaskManager's failed start in its log", Duration.ofMinutes(2),
            () -> Files.exists(log) && Files.readString(log).contains("Could not start"));
        try {
          taken.close();
        } catch (java.io.IOException ignored) {
          // closed by the try-with-resources as well
        }
      }, "release-port");
      release.setDaemon(true);
      release.start();
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
        cluster.startFlink(out);
        assertThat(cluster.rest().taskManagers()).isEqualTo(1);
        List<String> incidents = cluster.takeIncidents();
        assertThat(incidents).isNotEmpty().hasSizeLessThanOrEqualTo(Cluster.RELAUNCHES);
        // Where the cause is, not only where the stack trace ended.
        assertThat(incidents.get(0)).startsWith("taskmanager-1 exited while starting; see " + log)
            .contains("its last error and its causes:").contains("Caused by: java.net.BindException").contains("starting taskmanager-1 again");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("starting taskmanager-1 again");
        assertThat(cluster.takeIncidents()).as("taken once").isEmpty();
      } finally {
        cluster.down(new PrintStream(java.io.OutputStream.nullOutputStream()));
      }
    }
  }

  static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** What is shown of a log that ended in a failed start: the failure and its whole chain, not the noise before it. */
  @Test
  void theLastFailureIsShownWithEveryCauseAndWithoutItsFrames() {
    List<String> log = List.of(
        "2026-12-02 18:40:00,000 ERROR org.apache.flink.runtime.taskexecutor.TaskExecutor [] - a run killed before",
        "java.lang.IllegalStateException: from the TaskManager that ran before the kill",
        "2026-12-02 18:50:00,000 INFO  org.apache.flink.runtime.taskexecutor.TaskManagerRunner [] -  Starting TaskManager (Version: 2.2.1, Scala: 2.12, Rev:0, Date:0)",
        "2026-12-02 18:50:01,000 WARN  org.apache.kafka.clients.consumer.internals.ConsumerCoordinator [] - commit failed",
        "org.apache.kafka.clients.consumer.RetriableCommitFailedException: Offset commit failed",
        "Caused by: org.apache.kafka.common.errors.NotCoordinatorException: This is not the correct coordinator.",
        "2026-12-02 18:51:16,597 ERROR org.apache.flink.runtime.taskexecutor.TaskManagerRunner [] - Terminating TaskManagerRunner with exit code 1.",
        "org.apache.flink.util.FlinkException: Failed to start the TaskManagerRunner.",
        "\tat org.apache.flink.runtime.taskexecutor.TaskManagerRunner.runTaskManager(TaskManagerRunner.java:1)",
        "Caused by: java.lang.Exception: Could not create actor system",
        "\tat org.apache.flink.runtime.rpc.pekko.ActorSystemBootstrapTools.startRemoteActorSystem(X.java:1)",
        "\t... 14 more",
        "Caused by: java.net.BindException: Could not start actor system on any port in port range 0",
        "\tat scala.concurrent.Await$.result(package.scala:146)",
        "2026-12-02 18:51:16,700 ERROR org.apache.pekko.remote.Remoting [] - Remoting system has been terminated abrubtly.");
    assertThat(ProcessLogs.failureOfLastStart(log)).containsExactly(log.get(6), log.get(7), log.get(9), log.get(12), log.get(14));
    // Of this start only: the error logged by the process killed before it is not this one's cause.
    assertThat(ProcessLogs.failureOfLastStart(log.subList(0, 6))).isEmpty();
    assertThat(ProcessLogs.failureOfLastStart(List.of("2026-12-02 18:50:01,000 INFO started"))).isEmpty();
  }

  /** As CI saw it once: the start failed on the taken port, then the RPC system failed again while the JVM stopped. */
  @Test
  void aSecondFailureOnTheWayOutDoesNotHideWhyTheStartFailed() {
    List<String> log = List.of(
        "2026-12-03 23:28:48,000 INFO  org.apache.flink.runtime.taskexecutor.TaskManagerRunner [] -  Starting TaskManager (Version: 2.2.1, Scala: 2.12, Rev:0, Date:0)",
        "2026-12-03 23:28:49,100 ERROR org.apache.flink.runtime.taskexecutor.TaskManagerRunner [] - Terminating TaskManagerRunner with exit code 1.",
        "org.apache.flink.util.FlinkException: Failed to start the TaskManagerRunner.",
        "\tat org.apache.flink.runtime.taskexecutor.TaskManagerRunner.runTaskManager(TaskManagerRunner.java:1)",
        "Caused by: java.net.BindException: Could not start actor system on any port in port range 41234",
        "2026-12-03 23:28:49,220 ERROR org.apache.flink.util.FatalExitExceptionHandler [] - FATAL: Thread 'flink-pekko.actor.default-dispatcher-6' produced an uncaught exception. Stopping the process...",
        "java.lang.NoClassDefFoundError: org/apache/pekko/actor/dungeon/FaultHandling$$anonfun$handleNonFatalOrInterruptedException$1",
        "\tat org.apache.pekko.actor.dungeon.FaultHandling.handleNonFatalOrInterruptedException(FaultHandling.scala:1)",
        "Caused by: java.lang.ClassNotFoundException: org.apache.pekko.actor.dungeon.FaultHandling$$anonfun$handleNonFatalOrInterruptedException$1");
    assertThat(ProcessLogs.failureOfLastStart(log)).containsExactly(log.get(1), log.get(2), log.get(4), log.get(5));
  }
}
